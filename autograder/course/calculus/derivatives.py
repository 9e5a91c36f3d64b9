"""Exercise 1, ``derivatives``: the derivative as a slope (25 points)."""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import random

from autograder.engine import budget
from autograder.engine.budget import run_bounded
from autograder.engine.families import (Factor, OneTerm, ROUNDED_EXAMPLES, Rounded,
                                        factor_example, one_term_example)
from autograder.engine.judging import Mismatch, feedback_for, judge_cases, number, screen
from autograder.engine.outcomes import Feedback, Outcome, Verdict
from autograder.engine.spec import Case, Check, Exercise, Lesson, Misconception, Picture, Probe
from autograder.engine.tolerance import Tolerance, fmt, fmt_pair, mismatch_table
from autograder.engine.expressions import (TooComplex, TreeError, X, add, call, evaluator, func, mul, power,
                    rebuild_tree, tree_values)
from autograder.sandbox.protocol import Symbol, as_float, describe


EQUALS_MAX_OPS = 60


def f(x):
    """The contract's f; the grader's own copy (the student's is not trusted)."""
    return 3 * x**3 - 2 * x**2 + x


@functools.lru_cache(maxsize=1)
def reference_derivative():
    """sympy's derivative of f, computed once per grader process."""
    import sympy
    x = sympy.Symbol("x")
    return sympy.diff(f(x), x)


def equals_f_prime(tree_text: str) -> bool | None:
    """Whether the expression tree (as JSON text) is f′: True, False, or None
    when sympy was not asked or could not tell.  Raises TreeError or
    TooComplex for a tree that cannot be rebuilt.  Unbounded: the grader
    runs it through :func:`decide_df` only."""
    import sympy
    student = rebuild_tree(json.loads(tree_text))
    reference = reference_derivative()
    difference = sympy.expand(student - reference)
    # equals() may run for minutes on a large expression: only small ones
    # are asked; the rest are compared at points.
    small = student.count_ops() <= EQUALS_MAX_OPS
    return True if difference == 0 else student.equals(reference) if small else None


# The longest a student's own df is shown in feedback.
SHOWN_CHARS = 160


def shown_df(tree_text: str) -> str:
    """The student's df as they would write it (sympy's printing of their
    own expression; never the reference's), or "" when too long to show."""
    import sympy
    text = sympy.sstr(rebuild_tree(json.loads(tree_text)))
    return text if len(text) <= SHOWN_CHARS else ""


def _decide(tree_text: str) -> list:
    """:func:`equals_f_prime` as plain data, for the budgeted child, with
    the student's expression as text."""
    try:
        shown = shown_df(tree_text)
    except Exception:
        shown = ""
    try:
        return ["decided", equals_f_prime(tree_text), shown]
    except TooComplex:
        return ["decided", None, shown]
    except TreeError as exc:
        return ["invalid", str(exc), ""]


@functools.lru_cache(maxsize=256)
def decide_df(tree_text: str) -> tuple:
    """The symbolic verdict on a df expression, within the grader's budget
    (:mod:`autograder.engine.budget`): ``("decided", True | False | None)``,
    ``("invalid", why)`` for a tree that cannot be rebuilt, or
    ``("over budget", why)``.  Cached: a class hands in the same few forms
    again and again, and each costs milliseconds of sympy (or, over budget,
    two budgets' worth of seconds)."""
    reference_derivative()   # sympy imported and f′ derived here, inherited by the child
    # A time overrun may be the machine's load (a class graded on every
    # core), not the expression: it is tried once more before the verdict
    # "over budget" is kept for this form.
    for _ in range(2):
        bounded = run_bounded(_decide, tree_text, seconds=budget.SECONDS,
                              memory_bytes=budget.MEMORY_BYTES)
        if bounded.status != "time":
            break
    if bounded.status == "done":
        status, detail, shown = bounded.value
        return (status, detail, shown)
    if bounded.status == "time":
        return ("over budget", f"sympy ran past the grader's time budget of {budget.SECONDS:g} s",
                "")
    if bounded.status == "memory":
        return ("over budget", "sympy needed more than the grader's memory budget of "
                               f"{budget.MEMORY_BYTES // budget.MIB} MiB", "")
    # sympy itself failed on it: as good as not decided.
    return ("decided", None, "")


# df's values at the points, when it is compared numerically: any algebraic
# form of a quadratic at |x| <= 5 rounds to within 1e-13 or so; the wrong
# answers differ by whole terms (at least 1 at every point but 0).
DF_VALUES = Tolerance(1e-9, 1e-9, "any algebraic form of f′ at |x| <= 5 rounds by far less")


def f_prime(x):
    return 9 * x**2 - 4 * x + 1


# ------------------------------------------------------------------ df

DF_MISCONCEPTIONS = (
    Misconception(
        "df-coefficient-not-multiplied",
        "exponents lowered but not brought down as factors",
        "The power rule has two parts: d/dx xⁿ = n·xⁿ⁻¹. You lowered each "
        "exponent; also multiply by the old exponent (3x³ gives 9x², not 3x²).",
        model=lambda case: [3 * x**2 - 2 * x + 1 for x in case.context["points"]]),
    Misconception(
        "df-exponent-kept",
        "exponents brought down but not lowered",
        "The power rule lowers the exponent by one: d/dx xⁿ = n·xⁿ⁻¹, so the "
        "derivative of a cubic is a quadratic.",
        model=lambda case: [9 * x**3 - 4 * x**2 + x for x in case.context["points"]]),
    Misconception(
        "df-linear-term-dropped",
        "the derivative of x taken as 0",
        "The term x has slope 1 everywhere (x = x¹, so its derivative is 1·x⁰ = 1); "
        "only constants vanish.",
        model=lambda case: [9 * x**2 - 4 * x for x in case.context["points"]]),
    Misconception(
        "df-returns-f",
        "returned f instead of its derivative",
        "df should return the slope of f, not f itself: apply the power rule to each term.",
        model=lambda case: [f(x) for x in case.context["points"]]),
    Misconception(
        "df-one-term",
        "one term of the power rule slipped",
        "Differentiate term by term: d/dx c·xⁿ = c·n·xⁿ⁻¹ for each term of f, then add them. "
        "Redo the term the note names: bring its exponent down as a factor, multiply by the "
        "coefficient, and lower the exponent by one.",
        # f′ = 1 − 4x + 9x², the coefficients from the constant up (never shown).
        # Its members in the tests: the x², the x or the constant term wrong.
        family=OneTerm((1.0, -4.0, 9.0), examples=(
            one_term_example(2, -6.0), one_term_example(1, 2.0), one_term_example(0, 1.0)))),
)


def df_cases(rng: random.Random) -> list[Case]:
    points = tuple([2.0] + [round(rng.uniform(-5, 5), 3) for _ in range(11)])
    return [Case((Probe("df", (Symbol("x"),), fallback_points=points),),
                 expected=[f_prime(x) for x in points], context={"points": points})]


def judge_df(check: Check, cases: list[Case], results) -> Verdict:
    """Symbolic when df takes a symbol, else values at points; three answers."""
    case, r = cases[0], results[0][0]
    points, expected = case.context["points"], case.expected
    note = rounding_note = student_text = ""
    values: list[float] | None = None
    if r.status == "error" and not r.not_attempted and r.fallback:
        note = (f"df could not take a sympy symbol ({r.error_text()}), so it was "
                f"compared with f′ at {len(points)} points instead of symbolically.")
        early = screen(check, [list(r.fallback)], None)
        if early is not None:
            return Verdict(early.outcome, Feedback(early.feedback.summary, note=note),
                           early.misconception)
        values = []
        for p in r.fallback:
            v = as_float(p.value)
            if v is None:
                return _wrong(case, f"df({points[len(values)]}) returned {describe(p.value)}",
                              "a number", note)
            values.append(v)
    else:
        early = screen(check, results, cases)
        if early is not None:
            return early
        value = r.value
        if value.kind == "number":
            values = [float(value.value)] * len(points)
            note = "df returned the same number whatever x is: a derivative here depends on x."
        elif value.kind != "tree":
            return _wrong(case, describe(value), "a sympy expression or a number",
                          "Return an expression in x, e.g. built with + - * and **.")
        else:
            status, decided, student_text = decide_df(json.dumps(value.value))
            if status == "invalid":
                return Verdict(Outcome.UNDECIDED, Feedback(
                    f"undecided: {decided}", note="An instructor should look at this answer."))
            if decided is True:
                return Verdict(Outcome.PASSED, Feedback("equal to f′(x) (checked symbolically)"))
            try:
                values = tree_values(value.value, points)
            except (TreeError, ValueError, OverflowError, ZeroDivisionError, RecursionError):
                values = None
            if status == "over budget":
                too_large = ("your expression is too large for the grader to decide "
                             f"symbolically whether it equals f′(x) ({decided})")
                if values is None:
                    return Verdict(Outcome.UNDECIDED, Feedback(
                        f"undecided: {too_large}, and it could not be evaluated at points",
                        note="An instructor should look at this answer."))
                if all(DF_VALUES.close(v, e) for v, e in zip(values, expected)):
                    return Verdict(Outcome.UNDECIDED, Feedback(
                        f"undecided: {too_large}; its values agree with f′ at "
                        f"{len(points)} points",
                        hint="Simplify your expression: f′ is a polynomial of degree 2.",
                        note="An instructor should look at this answer."))
                note = f"{too_large}, so it was compared with f′ at {len(points)} points instead."
            elif decided is None:
                if values is None:
                    return Verdict(Outcome.UNDECIDED, Feedback(
                        "undecided: sympy could not decide, and the expression could not "
                        "be evaluated at points", note="An instructor should look at this answer."))
                note = (f"sympy could not decide whether your expression equals f′(x); "
                        f"it was compared at {len(points)} points instead.")
            elif values is None:
                return Verdict(Outcome.FAILED, Feedback(
                    "your expression is not equal to f′(x)",
                    got=f"df(x) = {student_text}" if student_text else "",
                    hint="Differentiate each term of f with the power rule."))
            else:
                rounding_note = ("sympy finds your expression different from f′(x), but its "
                                 f"values agree at {len(points)} points to 1e-9: equal up to "
                                 "rounding.")
    if all(DF_VALUES.close(v, e) for v, e in zip(values, expected)):
        return Verdict(Outcome.PASSED, Feedback(f"agrees with f′ at {len(points)} points",
                                                note=note or rounding_note))
    m = None
    for candidate in check.misconceptions:
        if candidate.family is not None:
            seen = candidate.family.explain_values(points, values, expected)
            if seen is not None:
                m = dataclasses.replace(candidate, title=f"{candidate.title}: {seen}")
                break
            continue
        predicted = candidate.model(case)
        if all(DF_VALUES.close(v, p) for v, p in zip(values, predicted)):
            m = candidate
            break
    table = mismatch_table(values, expected, DF_VALUES.rel, DF_VALUES.abs, label="x index")
    i = next(i for i, (v, e) in enumerate(zip(values, expected)) if not DF_VALUES.close(v, e))
    got_i, expected_i = fmt_pair(values[i], expected[i])
    mismatch = Mismatch(got=(f"df(x) = {student_text}, so df({fmt(points[i])}) = {got_i}"
                             if student_text else f"df({fmt(points[i])}) = {got_i}"),
                        expected=f"f′({fmt(points[i])}) = {expected_i}",
                        table=f"at x = {', '.join(fmt(p) for p in points)}\n{table}")
    n_failed = sum(not DF_VALUES.close(v, e) for v, e in zip(values, expected))
    fb = feedback_for(case, mismatch, n_failed, len(points), m)
    fb = Feedback(summary=f"not the derivative of f: wrong at {n_failed} of {len(points)} points",
                  inputs="df(x) with x a sympy symbol, then evaluated", got=fb.got,
                  expected=fb.expected, table=fb.table,
                  hint=fb.hint or "Differentiate f term by term with the power rule.",
                  note="; ".join(n for n in (fb.note, note) if n))
    return Verdict(Outcome.FAILED, fb, misconception=m.id if m else None)


def _wrong(case: Case, got: str, expected: str, note: str) -> Verdict:
    return Verdict(Outcome.FAILED, Feedback("df did not return an expression",
                                            inputs=case.probe.call_text(), got=got,
                                            expected=expected, note=note))


# ---------------------------------------------------------- slope_at_2

SLOPE_MISCONCEPTIONS = (
    Misconception(
        "slope-is-value",
        "returned f(2) instead of the slope f′(2)",
        "18 is the height of the curve at x = 2, f(2). The slope is the "
        "derivative evaluated there: f′(2).",
        model=lambda case: f(2.0)),
)


def slope_cases(rng: random.Random) -> list[Case]:
    return [Case((Probe("slope_at_2"),), expected=f_prime(2.0))]


# ------------------------------------------------- numerical_derivative

# The shapes of numerical_derivative's cases, fixed for every seed; the seed
# draws only each function's constants and the point x.  Every family is
# there, and x is drawn where f'' stays away from 0 (|f''| >= 0.05), so a
# one-sided difference is off by about h/2·f'' in every case with h >= 1e-3.
# (family, step h or None for the default 1e-5, how h is passed).
ND_SHAPES = (
    ("exp", None, "default"),
    ("sin", 1e-1, "positional"),
    ("cubic", 5e-2, "keyword"),
    ("log", 1e-2, "positional"),
    ("tanh", 1e-3, "keyword"),
    ("cos", 1e-1, "keyword"),
)


def _nd_function(family: str, rng: random.Random):
    """A function of ``family`` with constants from ``rng``, and a point x."""
    a = round(rng.uniform(0.5, 2.0), 2)
    c = round(rng.uniform(-2.0, 2.0), 2)
    sign = rng.choice((-1, 1))
    if family == "exp":
        return (func(call("exp", mul(a / 2, X)), f"lambda x: np.exp({a / 2}*x)"),
                round(rng.uniform(-2, 2), 3))
    if family == "sin":    # a·x in [0.2, 2.4]: sin(a·x) >= 0.19
        return (func(call("sin", mul(a, X)), f"lambda x: np.sin({a}*x)"),
                round(rng.uniform(0.4, 1.2), 3))
    if family == "cubic":  # f'' = 6x, |x| >= 0.5
        return (func(add(power(X, 3), mul(c, X)), f"lambda x: x**3 + {c}*x"),
                sign * round(rng.uniform(0.5, 2.0), 3))
    if family == "log":    # f'' = 2(1 − x²)/(1 + x²)², |x| >= 1.5
        return (func(call("log", add(1, power(X, 2))), "lambda x: np.log(1 + x**2)"),
                sign * round(rng.uniform(1.5, 2.5), 3))
    if family == "tanh":   # |a·x| in [0.3, 1.5]
        return (func(call("tanh", mul(a, X)), f"lambda x: np.tanh({a}*x)"),
                sign * round(rng.uniform(0.3, 1.5) / a, 3))
    if family == "cos":    # x + c in [−1, 1]: |cos| >= 0.54
        return (func(call("cos", add(X, c)), f"lambda x: np.cos(x + {c})"),
                round(rng.uniform(-1, 1) - c, 3))
    raise ValueError(family)


def central(g, x, h):
    return (g(x + h) - g(x - h)) / (2 * h)


def nd_tolerance(g, x, h) -> Tolerance:
    """f(x ± h) rounded another way (numpy or math, another order of the
    operations) moves a correct central difference by a few ulps of f,
    amplified by the division by 2h: 64 ulps of f over h, with 1e-9
    relative on top."""
    rounding = 64 * 2.2e-16 * (abs(g(x + h)) + abs(g(x - h)) + 1) / h
    return Tolerance(1e-9, rounding, "rounding of f(x ± h), amplified by 1/(2h)")


def nd_cases(rng: random.Random) -> list[Case]:
    cases = []
    for family, h, style in ND_SHAPES:
        fn, x = _nd_function(family, rng)
        g = evaluator(fn)
        used = 1e-5 if h is None else h
        args = (fn, x, h) if style == "positional" else (fn, x)
        kwargs = {"h": h} if style == "keyword" else {}
        cases.append(Case((Probe("numerical_derivative", args, kwargs),), central(g, x, used),
                          context={"g": g, "x": x, "h": used},
                          label="default h" if h is None else "",
                          tolerance=nd_tolerance(g, x, used)))
    return cases


def _nd_model(formula):
    return lambda case: formula(case.context["g"], case.context["x"], case.context["h"])


ND_MISCONCEPTIONS = (
    Misconception(
        "nd-forward-difference",
        "one-sided (forward) difference",
        "(f(x+h) − f(x))/h is one-sided: its error shrinks only like h. The central "
        "difference (f(x+h) − f(x−h))/(2h) looks both ways and its error shrinks like h².",
        model=_nd_model(lambda g, x, h: (g(x + h) - g(x)) / h)),
    Misconception(
        "nd-backward-difference",
        "one-sided (backward) difference",
        "(f(x) − f(x−h))/h looks only to the left, with an error that shrinks like h. "
        "Use the central difference (f(x+h) − f(x−h))/(2h).",
        model=_nd_model(lambda g, x, h: (g(x) - g(x - h)) / h)),
    Misconception(
        "nd-missing-factor-2",
        "central difference divided by h instead of 2h",
        "The two points x − h and x + h are 2h apart, so divide their difference by 2h; "
        "dividing by h doubles the slope.",
        model=_nd_model(lambda g, x, h: (g(x + h) - g(x - h)) / h)),
    Misconception(
        "nd-ignores-h",
        "the step h is not used",
        "Use the step size the caller passes in (the parameter h), not a fixed number: "
        "the grader calls numerical_derivative with several values of h.",
        model=lambda case: None if case.context["h"] == 1e-5 else central(
            case.context["g"], case.context["x"], 1e-5)),
    Misconception(
        "nd-factor", "the central difference off by a constant factor",
        "The two points x − h and x + h are 2h apart: divide f(x + h) − f(x − h) by 2h, "
        "once, with nothing else multiplying it.",
        family=Factor(examples=(factor_example(0.5),))),
    Misconception(
        "nd-rounded", "the estimate rounded before it is returned",
        "Return the quotient as computed: rounding it throws away digits the grader checks "
        "(the central difference is accurate to about h², far finer than 4 decimals).",
        family=Rounded(examples=ROUNDED_EXAMPLES)),
)


PICTURES = "autograder.course.plots"  # where the lesson's pictures are drawn

# What the exercise's notebook teaches (the classroom); its hints are also
# what hint("<function>") says.
LESSON = Lesson(
    intro="""\
# 1. The derivative is a slope

The derivative $f'(x)$ says how strongly the output of $f$ reacts when its
input $x$ moves a little. On the graph of $f$ it is the **slope** of the
curve at $x$: large where the curve is steep, zero at the bottom of a bowl.

You can watch the slope appear. Take $f(x) = x^2$ and move from $x = 2$ to
$x = 2.5$: the value goes from $4$ to $6.25$, a rise of $2.25$ over a run
of $0.5$, so the straight line through the two points (a *secant*) has
slope $4.5$. Shrink the run and the secant turns into the tangent, whose
slope is $f'(2) = 4$.

In this notebook you work with the practice function
$f(x) = 3x^3 - 2x^2 + x$.""",
    before={
        "df": """\
## The derivative by hand

Differentiate one term at a time with the power rule,
$\\frac{d}{dx} x^n = n\\,x^{n-1}$: bring the exponent down as a factor,
then lower it by one. A term $c\\,x$ has slope $c$ everywhere; a constant
has slope $0$.

Write `df(x)` with plain arithmetic (`*`, `+`, `-`, `**`). The grader calls
it with a *symbol* and compares the expression you return with the true
derivative, so any algebraically equal form is right.""",
        "slope_at_2": """\
## The slope at a point

The slope of the curve at $x = 2$ is the derivative there. Return it as a
number (you may use your `df`).""",
        "numerical_derivative": """\
## Estimating a slope with a computer

A computer can imitate the shrinking secant with a small step $h$. The
**central difference** looks one step to each side of $x$:

$$f'(x) \\approx \\frac{f(x + h) - f(x - h)}{2h}.$$

Its error shrinks like $h^2$: ten times smaller $h$, a hundred times
smaller error. The one-sided quotient $\\frac{f(x+h) - f(x)}{h}$ is only
accurate to order $h$, and the grader can tell the two apart.""",
    },
    hints={  # a nudge first, then more; never the answer (tests/test_course.py)
        "df": (
            "The derivative of a sum is the sum of the derivatives: treat each of the "
            "three terms of f on its own.",
            "Each power of x follows the power rule: the exponent comes down in front as "
            "a factor and the power drops by one; a constant factor stays where it is, "
            "and a term in x alone leaves just its coefficient.",
            "Check yourself: the course's f has slope 29 at x = 2. If yours differs, work "
            "out each term at x = 2 by hand and compare them one by one. Keep to plain "
            "arithmetic: the grader hands your df a symbol and reads the expression.",
        ),
        "slope_at_2": (
            "The slope of the tangent at a point is the value of the derivative there.",
            "You have already written the derivative: evaluate it at 2 instead of working "
            "the number out by hand, and hand back a plain float.",
        ),
        "numerical_derivative": (
            "A slope is rise over run: look at func a small step h on either side of x.",
            "The central difference: the change in func between x − h and x + h, divided "
            "by the distance between those two points, which is 2h, not h.",
            "Use the h you are given rather than your own, and evaluate func, the "
            "function handed in, not the course's f or your df.",
        ),
    },
    pictures={
        "numerical_derivative": Picture(
            "show_secant", ("df", "numerical_derivative"), PICTURES,
            "Secants through $x = 2$ with a shrinking run turn into the tangent, whose "
            "slope is your `df(2)`; beside them, how far your `numerical_derivative` "
            "lies from $f'(2)$ as $h$ shrinks."),
    },
    on_failure={
        "df": Picture("show_secant", ("df",), PICTURES),
        "numerical_derivative": Picture("show_secant", ("df", "numerical_derivative"),
                                        PICTURES),
    },
)


EXERCISE = Exercise(
    module="derivatives",
    title="The derivative is a slope",
    checks=(
        Check("df is the derivative of f", "df", 10, df_cases, judge_df,
              misconceptions=DF_MISCONCEPTIONS),
        Check("slope_at_2 is f'(2)", "slope_at_2", 5, slope_cases, judge_cases,
              compare=number(), misconceptions=SLOPE_MISCONCEPTIONS, depends_on=("df",)),
        Check("numerical_derivative is the central difference", "numerical_derivative", 10,
              nd_cases, judge_cases, compare=number(), misconceptions=ND_MISCONCEPTIONS),
    ),
    lesson=LESSON,
)
