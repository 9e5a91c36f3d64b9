"""Exercise 7, ``adaptive``: AdaGrad, RMSProp and Adam (30 points).

The grader's own iterates come from the update rules below, run in float64
NumPy on the same test functions the student's code is handed, with ε
inside the root as the contract writes it.
"""

from __future__ import annotations

import random

import numpy as np

from autograder.engine.spec import Check, Exercise, Lesson, Misconception, Picture
from autograder.engine.tolerance import Tolerance
from autograder.course.optimizers.iterates import (Optimiser, Rule, Shape, cases,
                                                  family_misconceptions, iterates_compare,
                                                  iterates_judge, rule_model)

EPS = 1e-8


def _zero(state, x):
    """An accumulator: 0 (of x's shape) before the first step."""
    return 0.0 * x if state is None else state


def adagrad_step(v, x, grad, hp, k, square=True, root=True, accumulate=True):
    g = grad(x)
    v = (_zero(v, x) if accumulate else 0.0) + (g * g if square else g)
    eps = hp.get("eps", EPS)
    return x - hp["learning_rate"] * g / (np.sqrt(v + eps) if root else v + eps), v


def rmsprop_step(v, x, grad, hp, k, keep=None, new=None, root=True):
    beta = hp["beta"]
    keep = beta if keep is None else keep(beta)
    new = (1 - beta) if new is None else new(beta)
    g = grad(x)
    v = keep * _zero(v, x) + new * g * g
    eps = hp.get("eps", EPS)
    return x - hp["learning_rate"] * g / (np.sqrt(v + eps) if root else v + eps), v


def adam_step(state, x, grad, hp, k, correct=True, first=1, swap=False):
    m, v = (0.0 * x, 0.0 * x) if state is None else state
    b1, b2 = (hp["beta2"], hp["beta1"]) if swap else (hp["beta1"], hp["beta2"])
    g = grad(x)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    n = k - 1 + first                      # the update's number, counted from ``first``
    # NumPy's division: by 0 (k counted from 0) it gives inf and nan, as
    # the student's NumPy code does, where Python's raises.
    m_hat = m / np.float64(1 - b1 ** n) if correct else m
    v_hat = v / np.float64(1 - b2 ** n) if correct else v
    return x - hp["learning_rate"] * m_hat / (np.sqrt(v_hat) + hp.get("eps", EPS)), (m, v)


EXAMPLES = {"adagrad": {"learning_rate": 0.5}, "rmsprop": {"learning_rate": 0.1, "beta": 0.9},
            "adam": {"learning_rate": 0.1, "beta1": 0.9, "beta2": 0.999}}


def _draw(name: str):
    """Hyperparameters: rates that settle and rates large enough to bounce
    around the minimum (adaptive steps are about η in size, whatever the
    gradient: a large η does not blow up, it jumps across)."""
    def draw(rng: random.Random, rates: str, curvature: float, shape: Shape) -> dict:
        r = lambda lo, hi, d=2: round(rng.uniform(lo, hi), d)
        if rates == "example":
            return dict(EXAMPLES[name])
        lr = r(0.6, 1.2) if rates == "diverge" else r(0.05, 0.5)
        if name == "adagrad":
            return {"learning_rate": lr}
        if name == "rmsprop":
            return {"learning_rate": lr, "beta": r(0.8, 0.95)}
        return {"learning_rate": lr, "beta1": r(0.8, 0.95),
                "beta2": round(rng.uniform(0.99, 0.9995), 4)}
    return draw


# ε inside the root (the contract's √(v + ε)) or outside (√v + ε, as in
# Adam's paper and PyTorch) changes a step by about ε/√v relative; the cases
# keep v far from ε (gradients of 1e-1 and more, and eps = 1e-16 passed on
# the neuron's flat start): measured over 200 seeds, the two forms (and
# Python floats against NumPy, lists against arrays, loops against
# vectorised code) stay within 5e-7 of each other relative to the run's
# largest iterate, the worst on 40 steps of RMSProp as its gradients
# shrink.  1e-5 leaves a twentyfold margin; every misconception below is off
# by more than 1e-2 in some case under every seed.
TOLERANCE = Tolerance(1e-5, 1e-5, "ε inside or outside the root: both accepted "
                                  "(scaled by the run's largest iterate)")

def _keywords(shape: Shape) -> dict:
    """On the neuron's flat start the gradients are about 1e-2 (v about
    1e-4 for AdaGrad, 1e-5 for RMSProp) and smaller still as the fit
    settles: too close to the default ε = 1e-8 for √(v + ε) and √v + ε to
    agree (they differ by 1e-2 relative over 30 steps of RMSProp).  That
    case passes eps = 1e-16, far below every v of the run."""
    return {"eps": 1e-16} if shape.kind == "neuron" else {}


ADAGRAD = Optimiser("adagrad", ("learning_rate", "steps"),
                    Rule("v_t = v_{t−1} + g_t², x_{t+1} = x_t − η·g_t / √(v_t + ε)", adagrad_step),
                    _draw("adagrad"), TOLERANCE, keywords=_keywords)
RMSPROP = Optimiser("rmsprop", ("learning_rate", "beta", "steps"),
                    Rule("v_t = β·v_{t−1} + (1 − β)·g_t², x_{t+1} = x_t − η·g_t / √(v_t + ε)",
                         rmsprop_step),
                    _draw("rmsprop"), TOLERANCE, keywords=_keywords)
ADAM = Optimiser("adam", ("learning_rate", "beta1", "beta2", "steps"),
                 Rule("m_t = β₁·m_{t−1} + (1 − β₁)·g_t, v_t = β₂·v_{t−1} + (1 − β₂)·g_t², "
                      "x_{t+1} = x_t − η·m̂/(√v̂ + ε) with m̂ = m_t/(1 − β₁ᵏ), "
                      "v̂ = v_t/(1 − β₂ᵏ), k = t + 1", adam_step),
                 _draw("adam"), TOLERANCE, keywords=_keywords)


def _with(step, **options):
    return lambda s, x, grad, hp, k: step(s, x, grad, hp, k, **options)


ADAGRAD_MISCONCEPTIONS = (
    Misconception(
        "adagrad-sum-of-gradients", "the gradients summed, not their squares",
        "AdaGrad accumulates the squared gradients, v = v + g², so that v only grows "
        "and the root is of a positive number.",
        model=rule_model(_with(adagrad_step, square=False))),
    Misconception(
        "adagrad-no-root", "divided by v itself, not by its square root",
        "Divide the step by √(v + ε): with the root the step has the size of η; "
        "without it, it shrinks like 1/g.",
        model=rule_model(_with(adagrad_step, root=False))),
    Misconception(
        "adagrad-no-accumulation", "only the latest squared gradient kept, v = g²",
        "AdaGrad's v is the sum of all squared gradients so far: v = v + g². Keeping only "
        "the latest makes every step η·sign(g), which never slows down.",
        model=rule_model(_with(adagrad_step, accumulate=False))),
) + family_misconceptions(ADAGRAD, "adagrad")

RMSPROP_MISCONCEPTIONS = (
    Misconception(
        "rmsprop-no-one-minus-beta", "the new square added without (1 − β)",
        "RMSProp keeps a moving average: v = β·v + (1 − β)·g². Without (1 − β) v grows "
        "to about g²/(1 − β) and the steps come out √(1 − β) times too small.",
        model=rule_model(_with(rmsprop_step, new=lambda beta: 1.0))),
    Misconception(
        "rmsprop-weights-swapped", "β and (1 − β) swapped, v = (1 − β)·v + β·g²",
        "β weighs the old average and (1 − β) the new square: v = β·v + (1 − β)·g², "
        "so that v forgets slowly for β near 1.",
        model=rule_model(_with(rmsprop_step, keep=lambda beta: 1 - beta, new=lambda beta: beta))),
    Misconception(
        "rmsprop-no-root", "divided by v itself, not by its square root",
        "Divide the step by √(v + ε), the root of the mean square: that is what makes the "
        "step about η in size.",
        model=rule_model(_with(rmsprop_step, root=False))),
) + family_misconceptions(RMSPROP, "rmsprop")

ADAM_MISCONCEPTIONS = (
    Misconception(
        "adam-no-bias-correction", "m and v used without the bias correction",
        "m and v start at 0, so early on they are too small: divide by (1 − β₁ᵏ) and "
        "(1 − β₂ᵏ) at the k-th update. Without it the first step is η·(1 − β₁)/√(1 − β₂) "
        "instead of η (0.316 in place of 0.1 in the contract's example).",
        model=rule_model(_with(adam_step, correct=False))),
    Misconception(
        "adam-k-from-zero", "the bias correction's k counted from 0",
        "Count the updates from 1: at the first update k = 1 and the correction divides "
        "by 1 − β₁ = 0.1, not by 1 − β₁⁰ = 0 (which gives inf and nan).",
        model=rule_model(_with(adam_step, first=0)),
        error_pattern=r"ZeroDivisionError"),
    Misconception(
        "adam-betas-swapped", "β₁ used for v and β₂ for m",
        "β₁ (0.9) averages the gradients m and β₂ (0.999) their squares v.",
        model=rule_model(_with(adam_step, swap=True))),
) + family_misconceptions(ADAM, "adam")


PICTURES = "autograder.course.optimizer_plots"  # where the lesson's pictures are drawn

# What the exercise's notebook teaches (the classroom); its hints are also
# what hint("<function>") says.
LESSON = Lesson(
    intro="""\
# 7. Adaptive learning rates: AdaGrad, RMSProp and Adam

A single learning rate for every parameter suits none of them when their
gradients differ in size. Take the long, narrow bowl
$f(x) = 0.1\\,x_1^2 + 2\\,x_2^2$ from $(-5, -2)$: its walls are twenty times
steeper along $x_2$ than along $x_1$. After 20 steps with $\\eta = 0.4$
gradient descent has settled $x_2$ but is still at $x_1 \\approx -0.94$;
raise the rate to $0.6$ and it blows up along $x_2$ instead. (The same
trouble comes with sparse features, whose weights rarely see a gradient.)

Adaptive methods give each parameter a step size of its own, from the
history of its own gradients. In all three below everything is element by
element, $g_t = \\nabla f(x_t)$, every accumulator starts at 0, and a tiny
$\\varepsilon$ only keeps the division safe ($\\sqrt{v + \\varepsilon}$ and
$\\sqrt{v} + \\varepsilon$ are both fine).""",
    before={
        "adagrad": """\
## AdaGrad

Divide each parameter's step by the root of the sum of all its squared
gradients so far:

$$v_t = v_{t-1} + g_t^2, \\qquad x_{t+1} = x_t - \\frac{\\eta\\, g_t}{\\sqrt{v_t + \\varepsilon}}.$$

A parameter with large gradients gets small steps, one with small gradients
large ones. But the sum only grows, so the steps only shrink and may stop
the walk short: on the narrow bowl, AdaGrad with $\\eta = 0.4$ reaches only
about $(-2.38, -0.16)$ in 20 steps. Example: on $(x - 4)^2$ from 0 with
$\\eta = 0.5$ the iterates are $0, 0.5, 0.829252, 1.085413, 1.298438,
1.482091$.""",
        "rmsprop": """\
## RMSProp

Forget old gradients: keep a moving average of the squares instead of their
sum, so the denominator follows the *recent* size of the gradient:

$$v_t = \\beta\\, v_{t-1} + (1 - \\beta)\\, g_t^2, \\qquad
x_{t+1} = x_t - \\frac{\\eta\\, g_t}{\\sqrt{v_t + \\varepsilon}}.$$

Its first step is $\\eta / \\sqrt{1 - \\beta}$ against the sign of the gradient,
about $0.316$ for $\\eta = 0.1$ and $\\beta = 0.9$. On the narrow bowl
($\\eta = 0.4$, $\\beta = 0.9$) it ends 20 steps near $(-0.0106, 0)$.""",
        "adam": """\
## Adam

Momentum on top of RMSProp: a moving average of the gradients over the root
of a moving average of their squares,

$$m_t = \\beta_1 m_{t-1} + (1 - \\beta_1)\\, g_t, \\qquad
v_t = \\beta_2 v_{t-1} + (1 - \\beta_2)\\, g_t^2.$$

Both start at 0, so early on they are too small. Adam corrects that at the
$k$-th update ($k = 1, 2, \\dots$): $\\hat m = m_t / (1 - \\beta_1^k)$,
$\\hat v = v_t / (1 - \\beta_2^k)$, then
$x_{t+1} = x_t - \\eta\\, \\hat m / (\\sqrt{\\hat v} + \\varepsilon)$.
With the correction the first step has length $\\eta$ ($0.1$ on
$(x - 4)^2$ from 0 with $\\eta = 0.1$, $\\beta_1 = 0.9$, $\\beta_2 = 0.999$:
$0, 0.1, 0.199926, 0.299726, \\dots$); without it, $0.316$.""",
    },
    hints={  # a nudge first, then more; never the answer (tests/test_course.py)
        "adagrad": (
            "AdaGrad gives every parameter its own step size: the larger its gradients "
            "have been, the smaller its steps.",
            "Keep, per parameter, the sum of all its squared gradients so far, from 0. A "
            "step is η times the gradient divided by the square root of that sum plus ε.",
            "Add the current squared gradient to the sum before you divide, and record x "
            "after every step, as in momentum.",
        ),
        "rmsprop": (
            "RMSProp is AdaGrad that forgets: recent gradients weigh more than old ones.",
            "Replace AdaGrad's sum with a moving average: the new v is β times the old v "
            "plus 1 − β times the squared gradient. Divide the step by the root of v plus "
            "ε.",
            "Check the first step: its size is about η/√(1 − β), 0.316 for η = 0.1 and β "
            "= 0.9.",
        ),
        "adam": (
            "Adam combines momentum (a moving average of the gradients) with RMSProp (a "
            "moving average of their squares).",
            "Keep m, the average of the gradients with β₁, and v, the average of their "
            "squares with β₂, both from 0. The step is η times m over the root of v, with "
            "ε added below.",
            "Both averages start at 0, so at first they are too small: at update k, "
            "counting from 1, divide m by 1 − β₁ᵏ and v by 1 − β₂ᵏ for the step only, and "
            "carry the uncorrected ones on. The first step is then η in size.",
        ),
    },
    pictures={
        "adam": Picture(
            "show_narrow_bowl", ("adagrad", "rmsprop", "adam"), PICTURES,
            "Twenty steps on the narrow bowl from $(-5, -2)$ with $\\eta = 0.4$. Plain "
            "descent zigzags across the steep direction and creeps along the flat one; "
            "AdaGrad's shrinking steps stop it short; RMSProp and Adam head for the "
            "minimum along both axes at once. Your functions' paths are dashed."),
    },
    on_failure={function: Picture("show_narrow_bowl", ("adagrad", "rmsprop", "adam"),
                                  PICTURES)
                for function in ("adagrad", "rmsprop", "adam")},
)


EXERCISE = Exercise(
    module="adaptive",
    title="Adaptive learning rates: AdaGrad, RMSProp and Adam",
    checks=(
        Check("adagrad returns the iterates of AdaGrad", "adagrad", 10,
              lambda rng: cases(ADAGRAD, rng), iterates_judge(ADAGRAD),
              compare=iterates_compare(ADAGRAD), misconceptions=ADAGRAD_MISCONCEPTIONS),
        Check("rmsprop returns the iterates of RMSProp", "rmsprop", 10,
              lambda rng: cases(RMSPROP, rng), iterates_judge(RMSPROP),
              compare=iterates_compare(RMSPROP), misconceptions=RMSPROP_MISCONCEPTIONS),
        Check("adam returns the iterates of Adam", "adam", 10,
              lambda rng: cases(ADAM, rng), iterates_judge(ADAM),
              compare=iterates_compare(ADAM), misconceptions=ADAM_MISCONCEPTIONS),
    ),
    lesson=LESSON,
)
