"""Exercise 2, ``gradient_descent``: iterates, learning rates (30 points)."""

from __future__ import annotations

import random

from autograder.engine.judging import Mismatch, judge_cases, number, vector
from autograder.engine.spec import Case, Check, Exercise, Lesson, Misconception, Picture, Probe
from autograder.engine.tolerance import Tolerance, fmt
from autograder.engine.expressions import X, add, evaluator, func, mul, power
from autograder.engine.families import (Factor, ROUNDED_EXAMPLES, Rounded, Steps, Truncated,
                                        factor_example, stops_below)


def descend(grad, x0: float, lr: float, steps: int, sign: float = -1.0) -> list[float]:
    """The grader's own iterates of x ← x − lr·grad(x) (``sign=+1`` ascends)."""
    xs = [float(x0)]
    for _ in range(steps):
        xs.append(xs[-1] + sign * lr * grad(xs[-1]))
    return xs


def quadratic(x: float) -> float:
    """The bowl the exercise descends: (x − 4)²."""
    return (x - 4) ** 2


def quadratic_grad(x: float) -> float:
    return 2 * (x - 4)


# ------------------------------------------------------- gradient_descent

def _quadratic(a: float, c: float):
    """grad of a·(x − c)²: 2a(x − c)."""
    return func(mul(2 * a, add(X, -c)), f"lambda x: 2*{a}*(x - {c})" if c >= 0
                else f"lambda x: 2*{a}*(x + {-c})")


# The shapes of gradient_descent's cases, fixed for every seed: steps 0, 1,
# a few and many, other gradients, and a rate that diverges.  The seed draws
# only the bowls' constants, the start points and the rates.
GD_STEPS = {"bowls": (2, 7, 25), "quartic": 12, "diverging": 8}


# gradient_descent's kinds of case, by the number of steps, each with its
# share of the check's 12 points.
GD_KINDS = (("steps = 0", 2), ("steps = 1", 2), ("several steps", 8))


def gd_cases(rng: random.Random) -> list[Case]:
    specs = [(func(mul(2, X), "lambda x: 2*x"), 10.0, 0.1, 10, "the contract's example"),
             (_quadratic(1.0, 3.0), round(rng.uniform(-10, 10), 2), 0.1, 0, "steps = 0"),
             (_quadratic(0.5, -2.0), round(rng.uniform(-10, 10), 2), 0.3, 1, "steps = 1")]
    for steps in GD_STEPS["bowls"]:
        a, c = round(rng.uniform(0.5, 2.0), 2), round(rng.uniform(-5, 5), 2)
        # 2a·η <= 0.8 (0.9 on the longest run): each step shrinks the distance
        # to c.  The longest run converges fast (each step multiplies it by
        # 0.1 to 0.2), so a loop that stops once the gradient is tiny drops
        # iterates under every seed.
        rate = (0.4, 0.45) if steps == max(GD_STEPS["bowls"]) else (0.05, 0.4)
        specs.append((_quadratic(a, c), round(rng.uniform(-10, 10), 2),
                      round(rng.uniform(*rate) / a, 3), steps, f"steps = {steps}"))
    specs.append((func(add(mul(4, power(X, 3)), -3), "lambda x: 4*x**3 - 3"),
                  round(rng.uniform(0.5, 1.5), 2), 0.01, GD_STEPS["quartic"], "grad of x⁴ − 3x"))
    specs.append((func(mul(2, X), "lambda x: 2*x"), round(rng.uniform(1, 5), 2), 1.1,
                  GD_STEPS["diverging"], "a learning rate that diverges"))
    cases = []
    for fn, x0, lr, steps, label in specs:
        g = evaluator(fn)
        cases.append(Case((Probe("gradient_descent", (fn, x0, lr, steps)),),
                          expected=descend(g, x0, lr, steps),
                          context={"grad": g, "x0": x0, "lr": lr, "steps": steps}, label=label,
                          kind=GD_KINDS[min(steps, 2)][0]))
    return cases


# The rule written in any order of its operations (x − η·g, x − g·η,
# x + (−η)·g, NumPy or Python floats) rounds differently by an ulp or so per
# step; over at most 25 steps that stays below 1e-13 relative.
GD_TOLERANCE = Tolerance(1e-9, 1e-12, "the update in another order rounds by ulps per step")
_values = vector(GD_TOLERANCE, label="t", what="iterates")


def gd_compare(case: Case, results, expected) -> Mismatch | None:
    """Element by element against ``expected``; the feedback also replays the
    student's own iterates to name the first step that breaks the rule."""
    mismatch = _values(case, results, expected)
    if mismatch is None or expected is not case.expected:
        return mismatch
    replay = _replay(case, results[0].value)
    return Mismatch(mismatch.got, mismatch.expected, mismatch.table,
                    why=replay or mismatch.why)


def _replay(case: Case, value) -> str:
    from autograder.sandbox.protocol import as_vector
    xs = as_vector(value)
    if not xs:
        return ""
    g, lr, x0 = case.context["grad"], case.context["lr"], case.context["x0"]
    if not GD_TOLERANCE.close(xs[0], x0):
        return f"The list should start with the start point x0 = {fmt(x0)}; yours starts with {fmt(xs[0])}."
    for t in range(len(xs) - 1):
        want = xs[t] - lr * g(xs[t])
        if not GD_TOLERANCE.close(xs[t + 1], want):
            return (f"Step {t} → {t + 1} breaks the rule: from your x_{t} = {fmt(xs[t])}, "
                    f"x_{t + 1} = x_{t} − η·grad(x_{t}) = {fmt(want)}, but you have {fmt(xs[t + 1])}.")
    n = case.context["steps"]
    return (f"Every step follows the rule, but there are {len(xs) - 1} steps; "
            f"steps = {n} asks for {n + 1} values, x0 included.")


def _gd_model(fn):
    def model(case: Case):
        c = case.context
        return fn(c["grad"], c["x0"], c["lr"], c["steps"])
    return model


GD_MISCONCEPTIONS = (
    Misconception(
        "gd-ascent", "steps taken along the gradient (ascent)",
        "The gradient points uphill. To go down, step against it: "
        "x ← x − η·grad(x), with a minus sign.",
        model=_gd_model(lambda g, x0, lr, n: descend(g, x0, lr, n, sign=+1.0))),
    Misconception(
        "gd-missing-start", "the start point x0 left out of the list",
        "Return every iterate including the start: [x0, x1, ..., x_steps], "
        "steps + 1 values in all.",
        model=_gd_model(lambda g, x0, lr, n: descend(g, x0, lr, n)[1:])),
    Misconception(
        "gd-extra-step", "one step too many",
        "Take exactly `steps` updates: the list has steps + 1 values, x0 included "
        "(range(steps), not range(steps + 1)).",
        model=_gd_model(lambda g, x0, lr, n: descend(g, x0, lr, n + 1))),
    Misconception(
        "gd-one-step-short", "one step too few",
        "Take exactly `steps` updates after x0: the list has steps + 1 values.",
        model=_gd_model(lambda g, x0, lr, n: descend(g, x0, lr, n - 1) if n >= 1 else None)),
    Misconception(
        "gd-no-learning-rate", "the learning rate is not used",
        "Scale each step by the learning rate: x ← x − η·grad(x). Without η the "
        "step is the whole gradient, which overshoots.",
        model=_gd_model(lambda g, x0, lr, n: descend(g, x0, 1.0, n))),
    Misconception(
        "gd-steps-off", "a loop that runs a different number of steps",
        "Take exactly `steps` updates after x0, whatever `steps` is: "
        "for _ in range(steps), and a list of steps + 1 values, x0 included.",
        family=Steps(lambda case, n: descend(case.context["grad"], case.context["x0"],
                                             case.context["lr"], n))),
    Misconception(
        "gd-stops-early", "the loop stops early and drops the iterates after it",
        "Run all `steps` updates even when the steps have become tiny: the list must hold "
        "steps + 1 iterates. A loop that breaks once the gradient or the step falls below a "
        "tolerance drops the rest (a convergence test belongs to the caller).",
        family=Truncated(examples=(stops_below(1e-9),))),
    Misconception(
        "gd-rounded", "the iterates rounded before they are returned",
        "Return the iterates as computed. Rounding them (round(x, 4)) moves each by up to half "
        "a unit of its last digit, far more than the rounding of the update itself; round "
        "only what you print.",
        family=Rounded(examples=ROUNDED_EXAMPLES)),
)


# --------------------------------------------------------- quadratic_grad

def qg_cases(rng: random.Random) -> list[Case]:
    xs = [4.0] + [round(rng.uniform(-10, 10), 3) for _ in range(5)]
    return [Case((Probe("quadratic_grad", (x,)),), expected=quadratic_grad(x),
                 context={"x": x}) for x in xs]


def _qg_model(fn):
    return lambda case: fn(case.context["x"])


QG_MISCONCEPTIONS = (
    Misconception(
        "qg-missing-factor-2", "the factor 2 of the chain rule left out",
        "d/dx (x − 4)² = 2(x − 4): the exponent 2 comes down as a factor.",
        model=_qg_model(lambda x: x - 4)),
    Misconception(
        "qg-sign", "the sign of the derivative flipped",
        "d/dx (x − 4)² = 2(x − 4): positive to the right of 4, where the curve rises.",
        model=_qg_model(lambda x: 2 * (4 - x))),
    Misconception(
        "qg-no-shift", "the derivative of x² instead of (x − 4)²",
        "The bowl is centred at 4, so its slope is zero at x = 4: 2(x − 4), not 2x.",
        model=_qg_model(lambda x: 2 * x)),
    Misconception(
        "qg-returns-function", "returned (x − 4)² instead of its derivative",
        "quadratic_grad should return the slope of (x − 4)², not its value.",
        model=_qg_model(lambda x: (x - 4) ** 2)),
    Misconception(
        "qg-factor", "off by a constant factor",
        "d/dx (x − 4)² = 2(x − 4): the exponent 2 comes down as a factor, once, and nothing "
        "else multiplies it.",
        family=Factor(examples=(factor_example(4.0),))),
)


# ----------------------------------------------------- minimize_quadratic

def _final(x0: float, lr: float, steps: int) -> float:
    return descend(quadratic_grad, x0, lr, steps)[-1]


# Steps 0 to 3 tell iteration from the closed form, an extra step or
# ignored arguments by far more than the tolerance, under every seed.
MQ_STEPS = (0, 1, 2, 3, 7)

# A correct minimize_quadratic may take the gradient numerically: a central
# difference with h = 1e-4 (the textbook choice) is off by up to 1e-10 here,
# and h = 1e-5 by up to 1e-9 (measured over 20 000 random cases).  1e-8
# accepts both; the wrong answers this check catches differ by more than
# 1e-3 on the few-step cases.  (At 100 steps the iterate is 1.2e-9 short of
# 4: the defaults case alone cannot tell iterating from returning 4, which
# steps 0 to 3 do.)
MQ_TOLERANCE = Tolerance(1e-9, 1e-8, "a numerical gradient with h = 1e-4 or 1e-5 is accepted")


def mq_cases(rng: random.Random) -> list[Case]:
    cases = [Case((Probe("minimize_quadratic"),), expected=_final(10.0, 0.1, 100),
                  context={"x0": 10.0, "lr": 0.1, "steps": 100}, label="the defaults")]
    for steps in MQ_STEPS:
        x0, lr = round(rng.uniform(-10, 20), 2), round(rng.uniform(0.05, 0.45), 3)
        cases.append(Case((Probe("minimize_quadratic", (),
                                 {"x0": x0, "learning_rate": lr, "steps": steps}),),
                          expected=_final(x0, lr, steps),
                          context={"x0": x0, "lr": lr, "steps": steps}))
    return cases


def _mq_model(fn):
    return lambda case: fn(case.context["x0"], case.context["lr"], case.context["steps"])


MQ_MISCONCEPTIONS = (
    Misconception(
        "mq-closed-form", "the known minimum returned without iterating",
        "minimize_quadratic must really run gradient descent: after 0, 1 or 2 steps "
        "x has not reached 4 yet. Call gradient_descent(quadratic_grad, ...) and "
        "return its last iterate.",
        model=lambda case: 4.0),
    Misconception(
        "mq-ignores-arguments", "the arguments are not passed on",
        "Use the x0, learning_rate and steps you are given, not the default values.",
        model=lambda case: _final(10.0, 0.1, 100)),
    Misconception(
        "mq-off-by-one", "one step too many",
        "`steps` updates after x0: the answer is the iterate x_steps.",
        model=_mq_model(lambda x0, lr, n: _final(x0, lr, n + 1))),
    Misconception(
        "mq-steps-off", "a different number of steps than `steps`",
        "`steps` updates after x0, no more and no fewer: the answer is the iterate x_steps.",
        family=Steps(lambda case, n: _final(case.context["x0"], case.context["lr"], n))),
)


# ------------------------------------------------- critical_learning_rate

CLR_MISCONCEPTIONS = (
    Misconception(
        "clr-one-step-rate", "the rate that lands in one step, not the critical one",
        "η = 0.5 reaches 4 in a single step, the fastest rate. Each step multiplies "
        "x − 4 by (1 − 2η); find where |1 − 2η| stops being less than 1.",
        model=lambda case: 0.5),
    Misconception(
        "clr-twice-critical", "the rate where the factor (1 − 2η) is −3",
        "Each step multiplies x − 4 by (1 − 2η). Convergence needs |1 − 2η| < 1, "
        "which fails first at the smallest η with 1 − 2η = −1.",
        model=lambda case: 2.0),
)


PICTURES = "autograder.course.plots"  # where the lesson's pictures are drawn

# What the exercise's notebook teaches (the classroom); its hints are also
# what hint("<function>") says.
LESSON = Lesson(
    intro="""\
# 2. Gradient descent and the learning rate

Training a model means finding the parameters where a loss is smallest.
Gradient descent does it by walking downhill:

1. start somewhere and work out the loss and its slope there;
2. take a small step against the slope;
3. repeat from the new point.

**Why against the slope?** For a step of length $\\eta$ in direction $u$,
a first-order Taylor expansion says

$$L(\\theta + \\eta u) \\approx L(\\theta) + \\eta\\, u^\\top \\nabla L(\\theta).$$

The change $\\eta\\, u^\\top \\nabla L(\\theta)$ is most negative when $u$
points exactly opposite to the gradient, so each step is

$$x_{t+1} = x_t - \\eta\\, L'(x_t).$$

The step is $\\eta$ *times the slope*: long strides where the curve is
steep, tiny ones where it is flat. That is why training crawls across flat
regions (a saturated sigmoid, say) and why a fixed budget of iterations
can end with the loss hardly changed.""",
    before={
        "gradient_descent": """\
## The descent loop

Return every iterate, the starting point included: `steps` steps give
`steps + 1` numbers. On $f(x) = x^2$ (slope $2x$) from $x_0 = 10$ with
$\\eta = 0.1$, each step multiplies $x$ by $1 - 2\\eta = 0.8$:
$10, 8, 6.4, 5.12, 4.096, 3.2768, \\dots$, and after ten steps
$x = 1.073741824$.""",
        "quadratic_grad": """\
## A bowl with its bottom at 4

From here on the function to minimise is $(x - 4)^2$. Its slope is what
`gradient_descent` needs as `grad`.""",
        "minimize_quadratic": """\
## Descending the bowl

Use your two functions to run gradient descent on $(x - 4)^2$ and return
where it ends. The answer must come from iterating: after only a few steps
the walker has not reached 4 yet.""",
        "critical_learning_rate": """\
## How large may the learning rate be?

On $(x - 4)^2$ the distance to the minimum changes by the same factor at
every step:

$$x_{t+1} - 4 = (1 - 2\\eta)(x_t - 4).$$

A **small** $\\eta$ makes that factor close to 1, so the walker crawls. With
$\\eta = 0.5$ the factor is 0 and one step lands on 4. Between 0.5 and the
critical rate the factor is negative: the walker jumps from one side of the
bowl to the other, but still comes closer each time. A **too large**
$\\eta$ makes the size of the factor reach 1: from there the walker no
longer comes closer, and beyond it runs away. Work out from the factor the smallest
learning rate for which the iterates stop converging to 4. (If a real
training run does not converge, the learning rate is the first thing to
check.)""",
    },
    hints={  # a nudge first, then more; never the answer (tests/test_course.py)
        "gradient_descent": (
            "Gradient descent repeats one small move: from where you are, step against "
            "the slope, by an amount proportional to it.",
            "One step: the new x is the old x minus the learning rate times the gradient "
            "at the old x. Take `steps` of them, each starting where the previous one "
            "ended.",
            "The answer is the whole path: x0 first, then every x reached, so steps + 1 "
            "numbers in all (x0 alone for zero steps).",
        ),
        "quadratic_grad": (
            "(x − 4)² is the square of something that depends on x: the chain rule "
            "applies.",
            "The outer square contributes twice its inside; the inside, x − 4, changes at "
            "rate 1. Check: the slope is 0 at the minimum, x = 4, and 2 at x = 5.",
        ),
        "minimize_quadratic": (
            "You already have both pieces, a descent loop and the gradient of (x − 4)²: "
            "this function puts them together.",
            "Run your gradient_descent on quadratic_grad with the start, rate and number "
            "of steps you are given, and keep only where it ends.",
            "Do not answer with 4, the known minimum: after a few steps the iterate is "
            "not there yet, and the checks ask for those few steps too.",
        ),
        "critical_learning_rate": (
            "Write one step on (x − 4)² in terms of the distance to 4: every step "
            "multiplies that distance by the same factor.",
            "That factor is 1 − 2η. The iterates close in on 4 only while its size is "
            "below 1: find the smallest positive η where that stops.",
            "At that rate the distance keeps its size and flips its sign at every step: "
            "the iterates bounce between two points for ever.",
        ),
    },
    pictures={
        "gradient_descent": Picture(
            "show_descent", ("gradient_descent",), PICTURES,
            "Your iterates on the curve $(x - 4)^2$, beside the reference: long steps "
            "on the steep wall, shorter ones as the bowl flattens."),
        "critical_learning_rate": Picture(
            "show_learning_rates", ("gradient_descent",), PICTURES,
            "The learning rate decides the fate of the walk: a small rate converges "
            "slowly, a large one oscillates, one beyond the critical value diverges."),
    },
    on_failure={
        "gradient_descent": Picture("show_descent", ("gradient_descent",), PICTURES),
        "minimize_quadratic": Picture("show_minimize", ("minimize_quadratic",), PICTURES),
    },
)


EXERCISE = Exercise(
    module="gradient_descent",
    title="Gradient descent and the learning rate",
    checks=(
        Check("gradient_descent returns the iterates", "gradient_descent", 12, gd_cases,
              judge_cases, compare=gd_compare, misconceptions=GD_MISCONCEPTIONS,
              kinds=GD_KINDS),
        Check("quadratic_grad is the derivative of (x - 4)^2", "quadratic_grad", 5, qg_cases,
              judge_cases, compare=number(), misconceptions=QG_MISCONCEPTIONS),
        Check("minimize_quadratic iterates from x0", "minimize_quadratic", 8, mq_cases,
              judge_cases, compare=number(MQ_TOLERANCE),
              misconceptions=MQ_MISCONCEPTIONS,
              # Ignored arguments give 100 steps from 10, 1.2e-9 short of the
              # closed form's 4: inside the tolerance, told apart by this.
              discern=number(Tolerance(1e-12, 1e-13, "a model computes what the code does")),
              depends_on=("gradient_descent", "quadratic_grad")),
        Check("critical_learning_rate is where descent stops converging",
              "critical_learning_rate", 5,
              lambda rng: [Case((Probe("critical_learning_rate"),), expected=1.0)],
              judge_cases, compare=number(), misconceptions=CLR_MISCONCEPTIONS),
    ),
    lesson=LESSON,
)
