"""What the optimisers of assignment 2 share: the test problems (gradients
handed to student code as expression trees), the grader's own runs of an
update rule, the comparison of iterates, and the replay that names the
first step that breaks the rule.

An optimiser is an update *rule*: ``step(state, x, grad, hp, k)`` gives
x_{k} from x_{k-1} (k = 1, 2, ... counts the updates) and the new state
(the accumulators u, v, m; None before the first step).  The grader's
expected iterates run the rule from x0; the replay runs it along the
student's own iterates, one step from each, so the first step that breaks
the rule is found even where the iterates differ everywhere after it.
Misconceptions are rules too (what the mistaken code computes), or
functions of the grader's iterates (aliased or look-ahead points).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from autograder.engine.families import ROUNDED_EXAMPLES, Rounded, Steps
from autograder.engine.judging import Mismatch, feedback_for, recognise, screen
from autograder.engine.outcomes import Feedback, Outcome, Verdict
from autograder.engine.spec import Case, Probe
from autograder.engine.tolerance import Tolerance, fmt, fmt_pair
from autograder.engine.expressions import X, add, call, component, func, mul, power, vector
from autograder.sandbox.protocol import Array, Returned, as_float, as_vector, describe


# ------------------------------------------------------------ the problems

@dataclass(frozen=True)
class Problem:
    """A gradient handed to student code (``fn``, a tree), the grader's own
    float version of it (``grad``: a number or an array in, the same out;
    written out directly, the same operations as the tree, which is slow
    to evaluate; tests hold the two to agree) and the number of parameters
    (0: x is a number); ``value`` is the function itself, where the
    pictures need it."""
    fn: Any
    grad: Callable
    dim: int
    value: Callable | None = None


def _signed(c: float) -> str:
    return f"- {c}" if c >= 0 else f"+ {-c}"


def bowl(a: float, c: float) -> Problem:
    """The gradient of a·(x − c)²: 2a(x − c)."""
    k = 2 * a
    return Problem(func(mul(k, add(X, -c)), f"lambda x: {k:g}*(x {_signed(c)})"),
                   lambda x: k * (x + -c), 0)


def quartic() -> Problem:
    """The gradient of x⁴ − 3x."""
    return Problem(func(add(mul(4, power(X, 3)), -3), "lambda x: 4*x**3 - 3"),
                   lambda x: 4 * np.power(x, 3) + -3.0, 0)


def separable_bowl(curvatures, centres) -> Problem:
    """The gradient of Σ aᵢ·(xᵢ − cᵢ)²: an array 2aᵢ(xᵢ − cᵢ).  With
    curvatures (0.1, 2) it is the ill-conditioned bowl 0.1·x₁² + 2·x₂²."""
    ks = np.array([2 * a for a in curvatures])
    cs = np.array([float(c) for c in centres])
    comps = [mul(k, add(component(i), -c)) for i, (k, c) in enumerate(zip(ks, cs))]
    text = ", ".join(f"{k:g}*(x[{i}] {_signed(c)})" for i, (k, c) in enumerate(zip(ks, cs)))
    return Problem(func(vector(*comps), f"lambda x: np.array([{text}])"),
                   lambda x: ks * (np.asarray(x, dtype=float) + -cs), len(comps),
                   lambda x: float(np.sum(ks / 2 * (np.asarray(x, dtype=float) - cs) ** 2)))


def neuron_loss(xs, ys) -> Problem:
    """The gradient over x = (w, b) of the neuron's loss ½ Σ (σ(w·xᵢ + b) − yᵢ)²
    (assignment 1's exercise 4)."""
    dw, db = [], []
    for xi, yi in zip(xs, ys):
        s = power(add(1, call("exp", mul(-1, add(mul(xi, component(0)), component(1))))), -1)
        common = mul(add(s, -yi), s, add(1, mul(-1, s)))
        dw.append(mul(xi, common))
        db.append(common)
    fn = func(vector(add(*dw), add(*db)),
              f"grad (of the neuron's loss ½ Σ (σ(w·x + b) − y)² over x = (w, b), "
              f"on xs = {list(xs)}, ys = {list(ys)})")

    def grad(wb):
        w, b = (float(v) for v in wb)
        gw = gb = 0.0
        for xi, yi in zip(xs, ys):
            s = 1.0 / (1.0 + math.exp(-(xi * w + b)))
            common = (s - yi) * s * (1.0 - s)
            gw, gb = gw + xi * common, gb + common
        return np.array([gw, gb])

    def loss(wb):
        w, b = (float(v) for v in wb)
        return 0.5 * sum((1.0 / (1.0 + math.exp(-(xi * w + b))) - yi) ** 2
                         for xi, yi in zip(xs, ys))
    return Problem(fn, grad, 2, loss)


# ----------------------------------------------------------------- rules

Step = Callable[[Any, np.ndarray, Callable, dict, int], tuple[np.ndarray, Any]]


@dataclass(frozen=True)
class Rule:
    """An update rule, with the formula a student reads when it is broken."""
    text: str
    step: Step


def run(step: Step, problem: Problem, x0, hp: dict, steps: int) -> list:
    """The iterates [x0, ..., x_steps] of ``step``, as floats or lists of floats."""
    # A number stays a Python float (the same IEEE operations as NumPy's,
    # faster); parameters are an array.
    scalar = problem.dim == 0
    x = float(x0) if scalar else np.array(x0, dtype=float)
    xs, state = [x], None
    with np.errstate(all="ignore"):
        for k in range(1, steps + 1):
            x, state = step(state, x, problem.grad, hp, k)
            x = float(x) if scalar else np.array(x, dtype=float)
            xs.append(x)
    return plain(xs)


def plain(xs) -> list:
    return [float(x) if np.ndim(x) == 0 else [float(v) for v in x] for x in xs]


# ------------------------------------------------------------------ cases

@dataclass(frozen=True)
class Shape:
    """One case's shape, fixed for every seed: its problem kind, steps, and
    which hyperparameters (converging, diverging, the contract's)."""
    kind: str           # example, bowl, quartic, ill (0.1·x₁² + 2·x₂²), three, neuron
    steps: int
    rates: str          # "example", "converge", "diverge"
    label: str


SHAPES = (
    Shape("example", 5, "example", "the contract's example"),
    Shape("bowl", 0, "converge", "steps = 0"),
    Shape("bowl", 1, "converge", "steps = 1"),
    Shape("bowl", 4, "converge", "4 steps"),
    Shape("bowl", 40, "converge", "40 steps"),
    Shape("bowl", 8, "diverge", "a large learning rate"),
    Shape("quartic", 10, "converge", "grad of x⁴ − 3x"),
    Shape("ill", 1, "converge",
          "the ill-conditioned bowl 0.1·(x₁ − c₁)² + 2·(x₂ − c₂)², steps = 1, a NumPy array"),
    Shape("ill", 20, "converge", "the ill-conditioned bowl, 20 steps, a NumPy array"),
    Shape("ill", 6, "diverge", "the ill-conditioned bowl, a large learning rate"),
    Shape("three", 12, "converge", "three parameters given as a list"),
    Shape("neuron", 30, "converge", "the neuron's loss over (w, b) from (−2, −2)"),
)


def _problem(rng: random.Random, shape: Shape) -> tuple[Problem, Any, Any, float]:
    """The problem, x0 as sent, x0 as numbers, and its largest curvature."""
    r = lambda lo, hi, d=2: round(rng.uniform(lo, hi), d)
    if shape.kind == "example":
        return bowl(1.0, 4.0), 0.0, 0.0, 2.0
    if shape.kind == "bowl":
        a, c = r(0.5, 2.0), r(-5, 5)
        x0 = r(c - 10, c + 10)
        if abs(x0 - c) < 2:
            x0 = round(c + 2 + abs(x0 - c), 2)   # a start well away from the minimum
        return bowl(a, c), x0, x0, 2 * a
    if shape.kind == "quartic":
        x0 = r(1.3, 1.6)   # well above the minimum at 0.9086, where the slope is 3.8 to 13
        return quartic(), x0, x0, 12 * 1.6 ** 2
    if shape.kind == "ill":
        cs = (r(-1, 1), r(-1, 1))
        x0 = [r(-6, -4), r(-3, -1.5)]
        return separable_bowl((0.1, 2.0), cs), Array(tuple(x0)), x0, 4.0
    if shape.kind == "three":
        curv = (r(0.2, 0.5), r(0.5, 1.0), r(1.0, 2.0))
        cs = tuple(r(-3, 3) for _ in range(3))
        x0 = [round(c + rng.choice((-1, 1)) * rng.uniform(2, 5), 2) for c in cs]
        return separable_bowl(curv, cs), x0, x0, 2 * curv[2]
    if shape.kind == "neuron":
        x0 = [-2.0, -2.0]
        return neuron_loss([0.5, 2.5], [0.2, 0.9]), Array(tuple(x0)), x0, 1.0
    raise ValueError(shape.kind)


@dataclass(frozen=True)
class Optimiser:
    """One optimiser's check: its function name, argument names (after
    grad and x0; ``steps`` among them), its rule, and how the seed draws its
    hyperparameters: ``draw(rng, rates, curvature, shape) -> hp``."""
    function: str
    params: tuple[str, ...]
    rule: Rule
    draw: Callable[[random.Random, str, float, Shape], dict]
    tolerance: Tolerance
    shapes: tuple[Shape, ...] = SHAPES
    # Keyword arguments some shapes pass as well (and put into ``hp``).
    keywords: Callable[[Shape], dict] = lambda shape: {}


def cases(opt: Optimiser, rng: random.Random) -> list[Case]:
    out = []
    for shape in opt.shapes:
        problem, sent, x0, curvature = _problem(rng, shape)
        hp = opt.draw(rng, shape.rates, curvature, shape)
        keywords = opt.keywords(shape)
        hp.update(keywords)
        args = [problem.fn, sent] + [shape.steps if p == "steps" else hp[p] for p in opt.params]
        expected = run(opt.rule.step, problem, x0, hp, shape.steps)
        scale = max(1.0, max(abs(v) for x in expected for v in np.ravel(x) if math.isfinite(v)))
        tol = Tolerance(opt.tolerance.rel, opt.tolerance.rel * scale, opt.tolerance.why)
        label = shape.label + "".join(f", {k} = {v:g}" for k, v in keywords.items())
        out.append(Case((Probe(opt.function, tuple(args), dict(keywords)),), expected=expected,
                        context={"problem": problem, "x0": x0, "hp": hp, "steps": shape.steps},
                        label=label, tolerance=tol))
    return out


# ------------------------------------------------------------ comparison

def as_iterates(value: Returned, dim: int) -> list[list[float]] | None:
    """The student's iterates as rows of ``max(dim, 1)`` numbers: a list or
    tuple of numbers (dim 0) or of 1-D lists/arrays (dim >= 1), or one
    array of shape (steps + 1,) or (steps + 1, dim)."""
    if value.kind == "array":
        if dim == 0 and len(value.shape) == 1:
            return [[float(v)] for v in value.value]
        if dim > 0 and len(value.shape) == 2 and value.shape[1] == dim:
            return [[float(v) for v in row] for row in value.value]
        return None
    if value.kind not in ("list", "tuple"):
        return None
    rows = []
    for item in value.value:
        if dim == 0:
            f = as_float(item)
            if f is None:
                return None
            rows.append([f])
        else:
            v = as_vector(item)
            if v is None or len(v) != dim:
                return None
            rows.append(v)
    return rows


def _rows(expected: list) -> list[list[float]]:
    return [[float(x)] if not isinstance(x, list) else [float(v) for v in x] for x in expected]


def _show(x) -> str:
    if isinstance(x, list):
        return "[" + ", ".join(fmt(v) for v in x) + "]"
    return fmt(x)


def _close(tol: Tolerance, got: float, want: float) -> bool:
    return tol.close(got, want)


def table(got: list[list[float]], want: list[list[float]], tol: Tolerance, dim: int,
          limit: int = 6) -> str:
    """``t | obtained | expected`` rows (``t[i]`` for a vector) for the
    values that differ, as pytest's approx prints them."""
    rows = []
    for t, (g, w) in enumerate(zip(got, want)):
        for i, (a, b) in enumerate(zip(g, w)):
            if not _close(tol, a, b):
                rows.append((f"{t}" if dim == 0 else f"{t}[{i}]", a, b))
    if not rows:
        return ""
    diffs = [abs(a - b) for _, a, b in rows if math.isfinite(a) and math.isfinite(b)]
    shown = [(k, *fmt_pair(a, b)) for k, a, b in rows[:limit]]
    col = max([16] + [max(len(a), len(b)) for _, a, b in shown])
    label = "t" if dim == 0 else "t[i]"
    width = max(len(label), max(len(k) for k, _, _ in shown), 5)
    lines = [f"{label:>{width}} | {'obtained':>{col}} | {'expected':>{col}}"]
    lines += [f"{k:>{width}} | {a:>{col}} | {b:>{col}}" for k, a, b in shown]
    if len(rows) > limit:
        lines.append(f"... and {len(rows) - limit} more")
    n = sum(len(w) for w in want)
    lines.append(f"{len(rows)} of {n} differ; max absolute difference: "
                 f"{fmt(max(diffs)) if diffs else 'nan'} "
                 f"(tolerance: {tol.rel:g} relative, {tol.abs:g} absolute)")
    return "\n".join(lines)


def agree(got: list[list[float]], want: list[list[float]], tol: Tolerance) -> bool:
    """Every value within ``tol`` (as :meth:`Tolerance.close` decides, nan
    and inf included), at once."""
    g, w = np.array(got, dtype=float), np.array(want, dtype=float)
    if g.shape != w.shape:
        return False
    with np.errstate(all="ignore"):
        ok = (np.abs(g - w) <= np.maximum(tol.rel * np.abs(w), tol.abs)) \
            | (np.isnan(w) & np.isnan(g)) | (np.isinf(w) & (g == w))
    return bool(ok.all())


def _parsed(case: Case, results, expected):
    """(the student's rows or None, the expected rows)."""
    return as_iterates(results[0].value, case.context["problem"].dim), _rows(expected)


def iterates_agree(opt: Optimiser):
    """The comparison without the words: None when the iterates agree, a
    bare Mismatch when not (what recognising a misconception needs)."""
    def compare(case: Case, results, expected) -> Mismatch | None:
        got, want = _parsed(case, results, expected)
        if got is not None and len(got) == len(want) and agree(got, want,
                                                                case.tolerance or opt.tolerance):
            return None
        return Mismatch("", "")
    return compare


def iterates_compare(opt: Optimiser):
    """Compare the student's iterates with ``expected`` value by value."""
    quick = iterates_agree(opt)

    def compare(case: Case, results, expected) -> Mismatch | None:
        if quick(case, results, expected) is None:
            return None
        value = results[0].value
        dim = case.context["problem"].dim
        tol = case.tolerance or opt.tolerance
        n = len(expected)
        what = ("numbers" if dim == 0 else f"arrays (or lists) of {dim} numbers")
        want_text = f"a list of {n} iterates, {what}"
        got = as_iterates(value, dim)
        shown = "[" + ", ".join(_show(x) for x in expected[:8]) + (", ...]" if n > 8 else "]")
        if got is None:
            why = ""
            if value.kind == "none":
                why = "Got None: did you forget a `return`?"
            elif value.kind in ("list", "tuple") and value.value:
                first = value.value[0]
                why = (f"The first item is {describe(first)}: each iterate should be "
                       + ("a number." if dim == 0 else f"an array or list of {dim} numbers."))
            elif value.kind in ("number", "array"):
                why = "Return the list of every iterate [x0, x1, ..., x_steps], not only the last."
            return Mismatch(describe(value), want_text, why=why)
        if len(got) != n:
            return Mismatch(f"{describe(value)} ({len(got)} iterates)", want_text + ": " + shown)
        return Mismatch(describe(value), shown, table=table(got, _rows(expected), tol, dim))
    return compare


def iterates_judge(opt: Optimiser):
    """``judge_cases``, and for the first case that fails, the replay of the
    student's own iterates: the first step that breaks the rule, and the rule
    (replayed once, for the case the feedback shows)."""

    def judge(check, cases, results) -> Verdict:
        early = screen(check, results, cases)
        if early is not None:
            return early
        quick = iterates_agree(opt)
        failures = [(case, res) for case, res in zip(cases, results)
                    if quick(case, res, case.expected) is not None]
        if not failures:
            return Verdict(Outcome.PASSED, Feedback(f"all {len(cases)} cases agree"))
        m = recognise(check, cases, results, quick)
        case, res = failures[0]
        mismatch = check.compare(case, res, case.expected)
        got = as_iterates(res[0].value, case.context["problem"].dim)
        replay = replay_message(opt.rule, case, got) if got is not None else ""
        if replay:
            mismatch = Mismatch(mismatch.got, mismatch.expected, mismatch.table, why=replay)
        return Verdict(Outcome.FAILED, feedback_for(case, mismatch, len(failures), len(cases), m),
                       misconception=m.id if m else None)
    return judge


def replay_message(rule: Rule, case: Case, got: list[list[float]]) -> str:
    """The first step of the student's own iterates that breaks the rule,
    in words; or what else is wrong when every step follows it."""
    ctx = case.context
    problem, hp, steps = ctx["problem"], ctx["hp"], ctx["steps"]
    tol = case.tolerance
    x0 = np.ravel(np.array(ctx["x0"], dtype=float))
    if not got:
        return "The list is empty: it should start with the start point x0."
    if not all(tol.close(a, b) for a, b in zip(got[0], x0)):
        return (f"The list should start with the start point x0 = {_show(plain([ctx['x0']])[0])}; "
                f"yours starts with {_show(got[0] if problem.dim else got[0][0])}.")
    state = None
    shape = np.shape(ctx["x0"])
    with np.errstate(all="ignore"):
        for t in range(len(got) - 1):
            x = np.array(got[t], dtype=float).reshape(shape)
            want, state = rule.step(state, x, problem.grad, hp, t + 1)
            want = np.ravel(np.array(want, dtype=float))
            for i, (a, b) in enumerate(zip(got[t + 1], want)):
                size = max(abs(b), abs(got[t][i]), 1.0)
                if not (Tolerance(tol.rel, tol.rel * size).close(a, b)):
                    where = f"x_{t + 1}" if problem.dim == 0 else f"x_{t + 1}[{i}]"
                    given = "from x_0" if t == 0 else f"from your own x_0, ..., x_{t}"
                    return (f"Step {t} → {t + 1} is the first that breaks the rule "
                            f"{rule.text}: {given} it gives "
                            f"{where} = {fmt(b)}, but you have {fmt(a)}.")
    if len(got) != steps + 1:
        return (f"Every step follows the rule, but there are {len(got) - 1} steps; "
                f"steps = {steps} asks for {steps + 1} iterates, x0 included.")
    return ""


# ----------------------------------------------------------- misconceptions

def rule_model(step: Step, only: Callable[[Case], bool] | None = None):
    """What code following ``step`` instead of the rule returns."""
    def model(case: Case):
        if only is not None and not only(case):
            return None
        c = case.context
        return run(step, c["problem"], c["x0"], c["hp"], c["steps"])
    return model


def steps_model(step: Step):
    """A run of ``step`` n steps long, for a :func:`~autograder.engine.families.Steps`
    family: the iterates of a loop that runs another number of times."""
    def run_for(case: Case, n: int):
        c = case.context
        return run(step, c["problem"], c["x0"], c["hp"], n)
    return Steps(run_for)


def family_misconceptions(opt: Optimiser, prefix: str, rounded: bool = True) -> tuple:
    """The families every optimiser's iterates can fall into: a loop that
    runs k steps too many or too few and (``rounded``) iterates rounded
    before they are returned, named ``<prefix>-steps-off`` and
    ``<prefix>-rounded``.  (A loop that stops on a tolerance is not among
    them: the cases' runs do not shrink their steps below any usual
    tolerance under every seed, so such a loop would pass under some.)"""
    from autograder.engine.spec import Misconception
    out = [Misconception(
        f"{prefix}-steps-off", "a loop that runs a different number of steps",
        f"Take exactly `steps` updates after x0: for _ in range(steps) (or, counting the "
        f"updates from 1, range(1, steps + 1)), and return steps + 1 iterates, x0 included.",
        family=steps_model(opt.rule.step))]
    if rounded:
        out.append(Misconception(
            f"{prefix}-rounded", "the iterates rounded before they are returned",
            "Return the iterates as computed: rounding them (np.round(x, 4)) moves each by up "
            "to half a unit of its last kept digit, more than the grader's tolerance; round "
            "only what you print.",
            family=Rounded(examples=ROUNDED_EXAMPLES)))
    return tuple(out)


def vector_case(case: Case) -> bool:
    return case.context["problem"].dim > 0


def aliased(case: Case):
    """Every iterate the same array, updated in place: all equal the last
    (where x is an array, so the in-place update shows)."""
    if not vector_case(case) or case.context["steps"] == 0:
        return None
    return [case.expected[-1]] * len(case.expected)
