"""Families of mistakes: recognisers that name a whole class of wrong
answers, not one wrong program.

A :class:`~autograder.engine.spec.Misconception` with a ``model`` names one
mistake: the student's results must agree with what that one program
computes.  Real students' code makes the same mistake in many shapes: a
factor ½ or 2 or 1/n where there should be none, a loop one, two or three
steps off, a loop that stops as soon as the steps are small, every result
rounded to some number of digits, one term of a derivative wrong.  A
*family* recognises all of them at once, from what the student returned in
every case:

- :class:`Factor`: every value is k times the expected one, one k for all
  cases (k may carry a part that depends on the case, such as 1/n for a
  mean over n points);
- :class:`Steps`: the answer of a run ``steps + k`` long, one k for all
  cases;
- :class:`Truncated`: each list of iterates is the start of the expected
  one, and some are cut short (a loop that stops on a tolerance);
- :class:`Rounded`: the expected values rounded to n decimals or n
  significant digits;
- :class:`Parametric`: any model with a parameter, one value of it for all
  cases (batches of k points, σ′ taken at another point, a sweep carried
  over);
- :class:`OneTerm`: a polynomial whose values differ from the expected
  ones by exactly one term c·xᵏ.

A family is data, declared with the check it belongs to; it is pure: it
reads the cases, the results and the check's own comparison, and returns a
short description of what it saw (``""`` when there is nothing to add), or
None when the results are not of the family.  ``examples`` are members of
the family, as models (``case -> value``): what tests feed the check to
hold the family to naming them under every seed.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Callable, Sequence

from autograder.engine.tolerance import fmt
from autograder.sandbox.protocol import Returned, as_float

Model = Callable[[Any], Any]          # case -> what code of the family returns (None: n/a)


class Family:
    """What every family answers: the description of what it recognised in
    ``results`` (``""`` for nothing to add) or None."""

    examples: tuple[Model, ...] = ()

    def explain(self, cases, results, compare) -> str | None:   # pragma: no cover
        raise NotImplementedError


# What each model computed for each case, while the case lives: the cases
# of a seed are made once and shared by every submission graded with it
# (runner.planned_cases), and a model is a function of its case alone, so a
# class or a seed sweep works out each model's answer to a case once (a
# model of training runs 1000 epochs), not once per submission and pass.
_PREDICTIONS: dict[int, dict] = {}


def predicted(model: Model, case, key) -> Any:
    """``model(case)``, computed once per case for the same ``key`` (the
    model itself, or what identifies it: a family's model and parameter)."""
    try:
        table = _PREDICTIONS[id(case)]
    except KeyError:
        try:
            weakref.finalize(case, _PREDICTIONS.pop, id(case), None)
        except TypeError:          # a case that cannot be watched: not kept
            return model(case)
        table = _PREDICTIONS[id(case)] = {}
    try:
        return table[key]
    except KeyError:
        value = table[key] = model(case)
        return value
    except TypeError:              # a key that does not hash: not kept
        return model(case)


def explained(model: Model, cases, results, compare, key=None) -> bool:
    """Whether ``model`` explains every case where it applies (and applies
    somewhere), as the check's ``compare`` decides.  ``key``: what names
    the model for :func:`predicted` (None: computed anew each time, as for
    a model made from the results themselves)."""
    applicable = 0
    for case, res in zip(cases, results):
        predicted_ = model(case) if key is None else predicted(model, case, key)
        if predicted_ is None:
            continue
        applicable += 1
        if compare(case, res, predicted_) is not None:
            return False
    return applicable > 0


# ------------------------------------------------------------ numbers

def map_numbers(value: Any, fn: Callable[[float], float]) -> Any:
    """``value`` (an expected answer: a number, or lists, tuples and dicts
    of them) with ``fn`` applied to every number; dict keys stay."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return fn(float(value))
    if isinstance(value, list):
        return [map_numbers(v, fn) for v in value]
    if isinstance(value, tuple):
        return tuple(map_numbers(v, fn) for v in value)
    if isinstance(value, dict):
        return {k: map_numbers(v, fn) for k, v in value.items()}
    return value


def numbers(value: Any) -> list[float]:
    """The numbers of an expected answer, in order."""
    out: list[float] = []
    map_numbers(value, lambda v: out.append(v) or v)
    return out


def returned_numbers(value: Returned, like: Any) -> list[float] | None:
    """The student's numbers in the order of ``like`` (the expected answer
    of the same shape), or None where the shapes differ."""
    if isinstance(like, (int, float)) and not isinstance(like, bool):
        f = as_float(value)
        return None if f is None else [f]
    if isinstance(like, (list, tuple)):
        if value.kind == "array":
            flat = numbers(value.value)
            return flat if len(flat) == len(numbers(like)) else None
        if value.kind not in ("list", "tuple") or len(value.value) != len(like):
            return None
        out = []
        for item, want in zip(value.value, like):
            got = returned_numbers(item, want)
            if got is None:
                return None
            out += got
        return out
    if isinstance(like, dict):
        if value.kind != "dict":
            return None
        by_key = {}
        for k, v in value.value:
            key = k.value if k.kind in ("str", "number") else None
            by_key[key] = v
        out = []
        for key, want in like.items():
            hit = by_key.get(key)
            if hit is None:
                return None
            got = returned_numbers(hit, want)
            if got is None:
                return None
            out += got
        return out
    return None


def length(value: Returned) -> int | None:
    """How many items a returned list, tuple or array holds."""
    if value.kind in ("list", "tuple"):
        return len(value.value)
    if value.kind == "array" and value.shape:
        return value.shape[0]
    return None


def simple(k: float) -> str:
    """A factor as a student reads it: 2, ½, −1, 1/3, or its digits."""
    if not math.isfinite(k):
        return fmt(k)
    q = Fraction(k).limit_denominator(12)
    if abs(float(q) - k) <= 1e-9 * max(1.0, abs(k)):
        sign = "−" if q < 0 else ""
        q = abs(q)
        if q.denominator == 1:
            return f"{sign}{q.numerator}"
        if q == Fraction(1, 2):
            return f"{sign}½"
        return f"{sign}{q.numerator}/{q.denominator}"
    return fmt(k, 6)


# ------------------------------------------------------------ families

@dataclass(frozen=True)
class Parametric(Family):
    """``model(case, p)`` for one parameter p shared by every case: the
    first p in ``params`` that explains all cases wins, and ``describe(p)``
    says which it was."""
    model: Callable[[Any, Any], Any]
    params: tuple
    describe: Callable[[Any], str] = lambda p: ""
    examples: tuple[Model, ...] = ()

    def explain(self, cases, results, compare) -> str | None:
        for p in self.params:
            if explained(lambda case, p=p: self.model(case, p), cases, results, compare,
                         key=(self.model, p)):
                return self.describe(p)
        return None


def member(model: Callable[[Any, Any], Any], p) -> Model:
    """The member ``p`` of a :class:`Parametric` family of ``model``, as a
    model: its answers are the ones the family works out (:func:`predicted`),
    computed once per case for both."""
    return lambda case: predicted(lambda c: model(c, p), case, (model, p))


def Steps(run: Callable[[Any, int], Any], *, offsets: Sequence[int] = (-3, -2, -1, 1, 2, 3),
          steps: Callable[[Any], int] = lambda case: case.context["steps"],
          unit: str = "step", examples: Sequence[int] = (2, -2)) -> Parametric:
    """The answer of a run ``steps + k`` long, one k (in ``offsets``) for
    every case: ``run(case, n)`` is the grader's own answer for a run of n
    steps.  A run asked for fewer than 0 steps makes none (``range`` of a
    negative number is empty)."""
    def model(case, k):
        return run(case, max(0, steps(case) + k))

    def describe(k):
        many = "many" if k > 0 else "few"
        return f"{abs(k)} {unit}{'s' if abs(k) > 1 else ''} too {many} in every case"
    return Parametric(model, tuple(offsets), describe, tuple(member(model, k) for k in examples))


def _rounder(kind: str, n: int, how: str = "python") -> Callable[[float], float]:
    """Round to n decimals as Python's ``round`` does (the decimal nearest
    the float) or (``how="numpy"``) as ``np.round`` does (x·10ⁿ rounded half
    to even, divided back); or to n significant digits."""
    def rnd(v: float) -> float:
        if not math.isfinite(v) or v == 0:
            return v
        if kind == "decimals":
            if how == "numpy":
                scaled = v * 10.0 ** n
                return round(scaled) / 10.0 ** n if math.isfinite(scaled) else v
            return round(v, n)
        return float(f"{v:.{n}g}")
    return rnd


def _either_way(kind: str, n: int, v: float) -> tuple[float, float] | None:
    """The two roundings of ``v`` when it lies within rounding error of a
    tie (x.xxxx5): another correct way of computing it may land on either
    side, and so round the other way."""
    if not math.isfinite(v) or v == 0:
        return None
    unit = 10.0 ** -n if kind == "decimals" else \
        10.0 ** (math.floor(math.log10(abs(v))) - (n - 1))
    q = v / unit
    if not math.isfinite(q) or abs(q - math.floor(q) - 0.5) > 1e-6:
        return None
    return math.floor(q) * unit, math.ceil(q) * unit


ROUNDINGS = tuple([("decimals", n) for n in range(0, 13)] +
                  [("significant digits", n) for n in range(1, 16)])


@dataclass(frozen=True)
class Rounded(Family):
    """The expected answer with every number rounded to n decimals (Python's
    ``round``, NumPy's ``np.round``, ``f"{x:.4f}"``) or n significant digits
    (``f"{x:.4g}"``), one n for every case.  A value at a tie may be rounded
    either way (the student's value, computed in another order, may sit on
    the other side of it)."""
    roundings: tuple[tuple[str, int], ...] = ROUNDINGS
    examples: tuple[Model, ...] = ()

    def explain(self, cases, results, compare) -> str | None:
        for kind, n in self.roundings:
            rnd = _rounder(kind, n)

            def model(case, res):
                got = returned_numbers(res[0].value, case.expected)
                if got is None:
                    return map_numbers(case.expected, rnd)
                i = iter(got)

                def nearest(v: float) -> float:
                    mine, either = next(i, v), _either_way(kind, n, v)
                    if either is None:
                        return rnd(v)
                    return min(either, key=lambda w: abs(w - mine))
                return map_numbers(case.expected, nearest)
            # Case by case: most roundings are told apart by the first.
            predicted = []
            for case, res in zip(cases, results):
                p = model(case, res)
                if compare(case, res, p) is not None:
                    break
                predicted.append(p)
            else:
                # Rounding that leaves nothing but zeros is no rounding to
                # speak of (``return 0.0`` is not "rounded to 0 decimals"):
                # some value must survive it, changed.
                kept = any(r != 0 and r != e for p, case in zip(predicted, cases)
                           for r, e in zip(numbers(p), numbers(case.expected)))
                if kept:
                    return f"every value rounded to {n} {kind[:-1] if n == 1 else kind}"
        return None


def rounded_example(kind: str, n: int, how: str = "python") -> Model:
    """A member of the :class:`Rounded` family, as a model."""
    return lambda case: map_numbers(case.expected, _rounder(kind, n, how))


ROUNDED_EXAMPLES = (rounded_example("decimals", 3), rounded_example("decimals", 3, "numpy"),
                    rounded_example("significant digits", 4))


@dataclass(frozen=True)
class Factor(Family):
    """Every value k times the expected one, one k for every case (k ≠ 1,
    k ≠ 0): a factor 2 or ½ too many, a sign.  ``per_case(case)`` is a part
    of the factor that changes with the case (``1/n`` for a mean over n
    points: k is then the rest), spoken as ``unit`` ("/n")."""
    per_case: Callable[[Any], float] | None = None
    unit: str = ""
    examples: tuple[Model, ...] = ()

    def _scale(self, case) -> float:
        return 1.0 if self.per_case is None else self.per_case(case)

    def explain(self, cases, results, compare) -> str | None:
        k = None
        for case, res in zip(cases, results):
            want = numbers(case.expected)
            got = returned_numbers(res[0].value, case.expected)
            if got is None or len(got) != len(want):
                return None
            finite = [i for i, w in enumerate(want) if math.isfinite(w) and w != 0]
            if not finite:
                continue
            i = max(finite, key=lambda j: abs(want[j]))
            scale = self._scale(case)
            if scale == 0:
                continue
            k = got[i] / want[i] / scale
            break
        if k is None or not math.isfinite(k) or abs(k) < 1e-9 or \
                (self.per_case is None and abs(k - 1) < 1e-6):
            return None
        q = Fraction(k).limit_denominator(12)
        if abs(float(q) - k) <= 1e-9 * max(1.0, abs(k)):
            k = float(q)

        def model(case):
            s = k * self._scale(case)
            return map_numbers(case.expected, lambda v: s * v)
        if not explained(model, cases, results, compare):
            return None
        if self.per_case is None:
            return f"every value is {simple(k)} times the expected one"
        return f"every value is {simple(k)}{self.unit} times the expected one"


def factor_example(k: float, per_case: Callable[[Any], float] | None = None) -> Model:
    """A member of a :class:`Factor` family, as a model."""
    return lambda case: map_numbers(case.expected,
                                    lambda v: k * (1.0 if per_case is None else per_case(case)) * v)


@dataclass(frozen=True)
class Truncated(Family):
    """Each returned list is the start of the expected one (at least its
    first item), in some case cut short and in some run of two steps or
    more complete: a loop that stops once the steps (or the gradient) are
    small, and drops the iterates it did not compute.  ``unit`` names an
    item after the first ("step")."""
    unit: str = "step"
    examples: tuple[Model, ...] = ()

    def explain(self, cases, results, compare) -> str | None:
        short, complete = None, False
        for case, res in zip(cases, results):
            n = length(res[0].value)
            want = case.expected
            if n is None or not isinstance(want, list) or n < 1 or n > len(want):
                return None
            if compare(case, res, want[:n]) is not None:
                return None
            if n < len(want) and short is None:
                short = (case, n)
            complete = complete or (n == len(want) >= 3)
        # A loop that stops on a tolerance runs its course where the steps
        # stay large: some run of two steps or more is complete.  (A
        # `return` inside the loop cuts every run instead.)
        if short is None or not complete:
            return None
        case, n = short
        want = case.expected
        where = f" ({case.label})" if case.label else ""
        moved = ""
        if n >= 2:
            a, b = numbers(want[n - 1]), numbers(want[n - 2])
            size = max(abs(x - y) for x, y in zip(a, b))
            moved = f"; the last {self.unit} you kept moved by {fmt(size, 2)}"
        return (f"in one case{where} your list stops after {n - 1} of {len(want) - 1} "
                f"{self.unit}s{moved}")


def stops_below(tolerance: float) -> Model:
    """A member of a :class:`Truncated` family: the expected iterates up to
    the first step that moves less than ``tolerance`` (kept), the rest
    dropped."""
    def model(case):
        xs = case.expected
        for t in range(1, len(xs)):
            if max(abs(a - b) for a, b in zip(numbers(xs[t]), numbers(xs[t - 1]))) < tolerance:
                return xs[:t + 1]
        return xs
    return model


@dataclass(frozen=True)
class OneTerm:
    """A polynomial whose values at the points differ from the expected ones
    by exactly one term c·xᵏ (k ≤ ``max_degree``): one term of a sum
    differentiated wrong.  ``reference`` holds the expected polynomial's
    coefficients (constant first): it is never shown, only used to say what
    the student's own term is."""
    reference: tuple[float, ...]
    examples: tuple[Model, ...] = ()
    max_degree: int = 6
    rel: float = 1e-9
    abs: float = 1e-9
    variable: str = "x"

    def term(self, points, values, expected) -> tuple[int, float] | None:
        """(k, c): the values are the expected plus c·xᵏ, at every point."""
        diffs = [v - e for v, e in zip(values, expected)]
        if not all(math.isfinite(d) for d in diffs):
            return None
        size = [self.rel * max(abs(v), abs(e)) + self.abs for v, e in zip(values, expected)]
        for k in range(self.max_degree + 1):
            usable = [(x, d) for x, d in zip(points, diffs) if abs(x) > 0.1]
            if not usable:
                return None
            ratios = sorted(d / x ** k for x, d in usable)
            c = ratios[len(ratios) // 2]
            if abs(c) < 1e-9:
                continue
            if all(abs(d - c * x ** k) <= s * 10 for x, d, s in zip(points, diffs, size)):
                q = Fraction(c).limit_denominator(100)
                if abs(float(q) - c) <= 1e-9 * max(1.0, abs(c)):
                    c = float(q)
                return k, c
        return None

    def explain_values(self, points, values, expected) -> str | None:
        found = self.term(points, values, expected)
        if found is None:
            return None
        k, c = found
        own = (self.reference[k] if k < len(self.reference) else 0.0) + c
        name = monomial(1.0, k, self.variable) if k else "constant"
        if abs(own) < 1e-12:
            return (f"your polynomial has no {name} term; every other term is right"
                    if k else "your polynomial has no constant term; every other term is right")
        return (f"only your {name} term is wrong: you have {monomial(own, k, self.variable)}; "
                "every other term is right")


SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def monomial(c: float, k: int, variable: str = "x") -> str:
    """c·xᵏ as a student writes it: 3x², −4x, 1, x³."""
    coef = simple(c) if not float(c).is_integer() else str(int(c)).replace("-", "−")
    if k == 0:
        return coef
    power = variable + (str(k).translate(SUPERSCRIPTS) if k != 1 else "")
    if coef in ("1", "−1"):
        return ("−" if coef == "−1" else "") + power
    return f"{coef}{power}"


def one_term_example(k: int, c: float, points_key: str = "points") -> Model:
    """A member of a :class:`OneTerm` family: the expected values plus c·xᵏ."""
    return lambda case: [e + c * x ** k for x, e in zip(case.context[points_key], case.expected)]


__all__ = ["Family", "Parametric", "Steps", "Rounded", "Factor", "Truncated", "OneTerm",
           "rounded_example", "ROUNDED_EXAMPLES",
           "explained", "map_numbers", "numbers", "returned_numbers", "factor_example",
           "stops_below", "one_term_example", "monomial", "simple", "member", "predicted"]
