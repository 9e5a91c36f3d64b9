"""Exercise 5, ``momentum``: momentum and Nesterov (25 points).

The grader's own iterates come from the update rules below, run in float64
NumPy on the same test functions the student's code is handed.
"""

from __future__ import annotations

import random

import numpy as np

from autograder.engine.spec import Check, Exercise, Lesson, Misconception, Picture
from autograder.engine.tolerance import Tolerance
from autograder.course.optimizers.iterates import (Optimiser, Rule, Shape, aliased, cases,
                                                  family_misconceptions, iterates_compare,
                       iterates_judge, rule_model)


def _zero(state, x):
    """An accumulator: 0 (of x's shape) before the first step."""
    return 0.0 * x if state is None else state


def momentum_step(u, x, grad, hp, k):
    u = hp["beta"] * _zero(u, x) + hp["learning_rate"] * grad(x)
    return x - u, u


def nesterov_step(u, x, grad, hp, k):
    u = _zero(u, x)
    ahead = x - hp["beta"] * u
    u = hp["beta"] * u + hp["learning_rate"] * grad(ahead)
    return x - u, u


# Hyperparameters drawn by the seed for each shape.  ``curvature`` is the
# largest second derivative of the problem near its start: a rate with
# η·curvature <= 0.5 converges for every β drawn (heavy ball converges for
# η·λ < 2(1 + β), Nesterov for η·λ < 2(1 + β)/(1 + 2β)); 4.2 to 4.6 is beyond
# 2(1 + β) <= 3.8, so both diverge (along x₂ on the ill-conditioned bowl).

def draw(rng: random.Random, rates: str, curvature: float, shape: Shape) -> dict:
    if rates == "example":
        return {"learning_rate": 0.1, "beta": 0.9}
    beta = round(rng.uniform(0.5, 0.9), 2)
    if shape.kind == "neuron":
        # The flat start: η near 1 as in the lecture (never 1 itself, where
        # η applied twice would go unseen).
        return {"learning_rate": round(rng.uniform(0.5, 0.95), 2), "beta": beta}
    span = (4.2, 4.6) if rates == "diverge" else (0.05, 0.5)
    return {"learning_rate": round(rng.uniform(*span) / curvature, 4), "beta": beta}


# Measured over 200 seeds of these cases (tests/test_optimizers_checks.py
# holds it): the PyTorch form v ← β·v + g, x ← x − η·v, Python floats in
# place of NumPy, lists in place of arrays and loops over the components
# all stay within 2.1e-15 of the grader's iterates relative to the largest
# iterate of the run; 1e-9 leaves a wide margin for other orders of the
# same operations, and every misconception below is off by more than 1e-3
# in some case under every seed.
TOLERANCE = Tolerance(1e-9, 1e-9, "the same rule in another form or order rounds by ulps "
                                  "per step (scaled by the run's largest iterate)")

MOMENTUM = Optimiser("momentum_descent", ("learning_rate", "beta", "steps"),
                     Rule("u_t = β·u_{t−1} + η·g_t, x_{t+1} = x_t − u_t", momentum_step),
                     draw, TOLERANCE)
NESTEROV = Optimiser("nesterov_descent", ("learning_rate", "beta", "steps"),
                     Rule("x̃_t = x_t − β·u_{t−1}, u_t = β·u_{t−1} + η·grad(x̃_t), "
                          "x_{t+1} = x_t − u_t", nesterov_step),
                     draw, TOLERANCE)


# ---------------------------------------------------- what mistakes compute

def moving_average_step(v, x, grad, hp, k):
    v = hp["beta"] * _zero(v, x) + (1 - hp["beta"]) * grad(x)
    return x - hp["learning_rate"] * v, v


def rate_twice_step(u, x, grad, hp, k):
    u = hp["beta"] * _zero(u, x) + hp["learning_rate"] * grad(x)
    return x - hp["learning_rate"] * u, u


def stale_velocity_step(u, x, grad, hp, k):
    u = _zero(u, x)
    return x - u, hp["beta"] * u + hp["learning_rate"] * grad(x)


def no_rate_step(u, x, grad, hp, k):
    u = hp["beta"] * _zero(u, x) + grad(x)
    return x - u, u


def _lookahead_step(sign: float, beta: bool):
    def step(u, x, grad, hp, k):
        u = _zero(u, x)
        ahead = x + sign * (hp["beta"] if beta else 1.0) * u
        u = hp["beta"] * u + hp["learning_rate"] * grad(ahead)
        return x - u, u
    return step


def lookahead_points(case):
    """The look-ahead points x̃_t = x_t − β·u_{t−1} (x̃_0 = x0) in place of
    the iterates: what PyTorch's form of Nesterov keeps as its parameter."""
    xs = [np.array(x, dtype=float) for x in case.expected]
    beta = case.context["hp"]["beta"]
    out = [xs[0]] + [xs[t] - beta * (xs[t - 1] - xs[t]) for t in range(1, len(xs))]
    return [float(x) if x.ndim == 0 else [float(v) for v in x] for x in out]


MOMENTUM_MISCONCEPTIONS = (
    Misconception(
        "momentum-moving-average", "the moving average v = β·v + (1 − β)·g",
        "That is a different algorithm: its steps are (1 − β) times smaller. Momentum adds "
        "the whole new step to the decayed velocity: u = β·u + η·g, then x = x − u "
        "(or PyTorch's v = β·v + g, x = x − η·v).",
        model=rule_model(moving_average_step)),
    Misconception(
        "momentum-rate-twice", "the learning rate applied twice (u = β·u + η·g, x = x − η·u)",
        "Two forms are mixed: either u = β·u + η·g and x = x − u, or v = β·v + g and "
        "x = x − η·v. η belongs in one place only.",
        model=rule_model(rate_twice_step)),
    Misconception(
        "momentum-stale-velocity", "x moved by the previous velocity before it is updated",
        "Update the velocity first, with this step's gradient, then move: "
        "u = β·u + η·grad(x); x = x − u. Moving first uses last step's u (0 at the start, "
        "so your first step does not move).",
        model=rule_model(stale_velocity_step)),
    Misconception(
        "momentum-no-learning-rate", "the gradient added to the velocity without η",
        "Scale the gradient by the learning rate: u = β·u + η·grad(x).",
        model=rule_model(no_rate_step)),
    Misconception(
        "momentum-aliased-iterates", "one array updated in place, so every iterate is the last",
        "x -= u changes the array you already put in the list: every entry is then the same "
        "array. Append a copy (x.copy()) or write x = x - u, which makes a new array.",
        model=aliased),
) + family_misconceptions(MOMENTUM, "momentum")

NESTEROV_MISCONCEPTIONS = (
    Misconception(
        "nesterov-gradient-at-x", "the gradient taken at x_t, not at the look-ahead point",
        "That is plain momentum. Nesterov first looks ahead to x̃ = x − β·u (where the "
        "velocity alone would carry x) and takes the gradient there: u = β·u + η·grad(x̃).",
        model=rule_model(momentum_step)),
    Misconception(
        "nesterov-lookahead-iterates", "the look-ahead points returned as the iterates",
        "Return the iterates x_t, not the look-ahead points x̃_t = x_t − β·u_{t−1} "
        "(which is what PyTorch's form of Nesterov keeps as the parameter).",
        model=lookahead_points),
    Misconception(
        "nesterov-lookahead-without-beta", "looked ahead by the whole velocity, x̃ = x − u",
        "The look-ahead point is where momentum alone carries x: x̃ = x − β·u, "
        "with the factor β.",
        model=rule_model(_lookahead_step(-1.0, beta=False))),
    Misconception(
        "nesterov-lookahead-backwards", "looked behind instead of ahead, x̃ = x + β·u",
        "x moves by −u, so the point ahead is x̃ = x − β·u (minus, the way x is going).",
        model=rule_model(_lookahead_step(+1.0, beta=True))),
) + family_misconceptions(NESTEROV, "nesterov")


PICTURES = "autograder.course.optimizer_plots"  # where the lesson's pictures are drawn

# What the exercise's notebook teaches (the classroom); its hints are also
# what hint("<function>") says.
LESSON = Lesson(
    intro="""\
# 5. Momentum and Nesterov

Gradient descent moves by $\\eta$ times the slope. Where the loss is almost
flat the slope is tiny, and so is every step: the walker crawls. The sigmoid
neuron of assignment 1 starts on such a plateau at $(w, b) = (-2, -2)$; after
100 epochs with $\\eta = 1$ plain gradient descent has only brought its loss
down to about $0.0177$.

**Momentum** lets the walker gather speed. Besides its position $x_t$ it
carries a velocity $u_t$, which keeps most of the previous velocity and adds
the new gradient step:

$$u_t = \\beta\\, u_{t-1} + \\eta\\, \\nabla L(x_t), \\qquad
x_{t+1} = x_t - u_t, \\qquad u_{-1} = 0.$$

Written out, $u_t = \\eta \\sum_{\\tau \\le t} \\beta^{\\,t-\\tau}\\, \\nabla L(x_\\tau)$:
every past gradient still counts, fading by a factor $\\beta$ per step. When
the gradients keep pointing the same way they pile up, and on a long even
slope the step grows towards $\\eta / (1 - \\beta)$ times the gradient, ten
times plain descent's step for $\\beta = 0.9$.""",
    before={
        "momentum_descent": """\
## Momentum

Return every iterate, $[x_0, x_1, \\dots, x_{\\text{steps}}]$. `x0` may be a
number or a 1-D list or array of parameters; then `grad` returns an array of
the same length and every operation works element by element (NumPy does
that for you).

Speed has a price. On $(x - 4)^2$ from $x_0 = 0$ with $\\eta = 0.1$ and
$\\beta = 0.9$ the iterates are $0, 0.8, 2.16, 3.752, 5.2344, 6.32168$: the
velocity carries the walker past the minimum at the fourth step, and it
swings back and forth before it settles.

(PyTorch writes the same method as $v_t = \\beta v_{t-1} + g_t$,
$x_{t+1} = x_t - \\eta v_t$: for a fixed $\\eta$ that is $u = \\eta v$, the same
iterates. The "moving average" $v_t = \\beta v_{t-1} + (1 - \\beta) g_t$ is a
different method, with steps $1 - \\beta$ times smaller.)""",
        "nesterov_descent": """\
## Nesterov: look before you leap

Whatever the gradient says, the velocity alone will carry $x_t$ to about
$x_t - \\beta u_{t-1}$. Nesterov's method measures the slope *there*, at the
look-ahead point, and so feels the bowl turning upwards before it gets
there:

$$\\tilde x_t = x_t - \\beta\\, u_{t-1}, \\qquad
u_t = \\beta\\, u_{t-1} + \\eta\\, \\nabla L(\\tilde x_t), \\qquad
x_{t+1} = x_t - u_t.$$

On the same problem it brakes earlier: $0, 0.8, 2.016, 3.28832, 4.346726,
5.039434$. The iterates are the $x_t$; the look-ahead points are only where
the gradient is taken. On the neuron's plateau, 100 epochs with $\\eta = 1$
and $\\beta = 0.9$ bring momentum to a loss of about $0.0137$ (it leaves the
plateau quickly, then sways across the valley) and Nesterov to about
$8.5 \\times 10^{-6}$.""",
    },
    hints={  # a nudge first, then more; never the answer (tests/test_course.py)
        "momentum_descent": (
            "Momentum keeps a velocity, a running memory of past gradients, so that steps "
            "grow along a slope that keeps its direction.",
            "Each step: the velocity becomes β times the old velocity plus η times the "
            "gradient at the current x; then x moves by minus the velocity. The velocity "
            "starts at zero, with the shape of x.",
            "Record x after every step, with x0 first: steps + 1 entries. When x is an "
            "array, record copies, or later steps change the entries already recorded.",
        ),
        "nesterov_descent": (
            "Nesterov looks before it leaps: it asks for the gradient where momentum is "
            "about to carry it, not where it stands.",
            "Everything as in momentum_descent except where the gradient is taken: at the "
            "look-ahead point, x minus β times the velocity of the step before.",
            "The look-ahead point serves only the gradient: the iterates recorded are the "
            "x's themselves.",
        ),
    },
    pictures={
        "nesterov_descent": Picture(
            "show_flat_start", ("momentum_descent", "nesterov_descent"), PICTURES,
            "The three methods on the neuron's loss from the flat start $(-2, -2)$, 100 "
            "epochs (the colours show $\\log_{10}$ of the loss). Plain descent creeps; "
            "momentum shoots out of the plateau and swings across the valley; Nesterov "
            "brakes in time. Your functions' paths are dashed beside the references."),
    },
    on_failure={
        "momentum_descent": Picture("show_flat_start", ("momentum_descent",), PICTURES),
        "nesterov_descent": Picture("show_flat_start",
                                    ("momentum_descent", "nesterov_descent"), PICTURES),
    },
)


EXERCISE = Exercise(
    module="momentum",
    title="Momentum and Nesterov",
    checks=(
        Check("momentum_descent returns the iterates of momentum", "momentum_descent", 12,
              lambda rng: cases(MOMENTUM, rng), iterates_judge(MOMENTUM),
              compare=iterates_compare(MOMENTUM), misconceptions=MOMENTUM_MISCONCEPTIONS),
        Check("nesterov_descent returns the iterates of Nesterov's method", "nesterov_descent",
              13, lambda rng: cases(NESTEROV, rng), iterates_judge(NESTEROV),
              compare=iterates_compare(NESTEROV), misconceptions=NESTEROV_MISCONCEPTIONS),
    ),
    lesson=LESSON,
)
