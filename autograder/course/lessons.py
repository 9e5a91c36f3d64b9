"""The words of the classroom notebooks, as data.

For each exercise: the lesson that opens its notebook, the text shown
before each function the student writes, a general hint per function (what
``hint("<function>")`` says before any check has run), and the pictures
that follow some functions.  :mod:`autograder.channels.classroom` puts them together
with the code of ``solutions/`` and the checks of :mod:`autograder.course`.
The order follows the course: the derivative as a slope, gradient descent
and its learning rate, weight updates, and the sigmoid neuron.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Picture:
    """A code cell that draws something: the text that introduces it, and
    the :mod:`autograder.course.plots` function it calls on one of the student's."""
    text: str
    function: str
    argument: str

    @property
    def code(self) -> str:
        return f"{self.function}({self.argument})"


@dataclass(frozen=True)
class Lesson:
    module: str
    title: str
    intro: str
    before: dict[str, str] = field(default_factory=dict)     # function -> markdown
    hints: dict[str, str] = field(default_factory=dict)      # function -> hint
    pictures: dict[str, Picture] = field(default_factory=dict)  # after function


HOW_TO = """\
**How this notebook works.** Run the first code cell, then work from top
to bottom. Replace each `raise NotImplementedError()` with your code. After
each function a grey *test cell* runs the grader's checks on it and tells
you what is right or wrong; you can also call `check("<function>")` in any
cell, and `hint("<function>")` when you are stuck. The grader also tries
inputs you have not seen, so write the general rule, not the worked
example."""


DERIVATIVES = Lesson(
    "derivatives", "1. The derivative is a slope",
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
$f(x) = 3x^3 - 2x^2 + x$.

""" + HOW_TO,
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
    hints={
        "df": "Apply d/dx xⁿ = n·xⁿ⁻¹ to each of the three terms of f and add the "
              "results; at x = 2 you should get 29.",
        "slope_at_2": "The slope at a point is the derivative evaluated there: "
                      "call your df at 2.",
        "numerical_derivative": "Evaluate func at x + h and at x − h and divide the "
                                "difference by the distance between them, 2·h. Use the "
                                "h you are given.",
    },
)


GRADIENT_DESCENT = Lesson(
    "gradient_descent", "2. Gradient descent and the learning rate",
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
can end with the loss hardly changed.

""" + HOW_TO,
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
    hints={
        "gradient_descent": "Keep a list that starts with x0; in a loop that runs `steps` "
                            "times, set x = x − learning_rate·grad(x) and append it.",
        "quadratic_grad": "By the chain rule, d/dx (x − 4)² = 2·(x − 4).",
        "minimize_quadratic": "Call gradient_descent(quadratic_grad, x0, learning_rate, steps) "
                              "and return the last iterate, not the known minimum.",
        "critical_learning_rate": "The iterates converge exactly when |1 − 2η| < 1. Solve for "
                                  "the smallest η where that fails.",
    },
    pictures={
        "gradient_descent": Picture(
            "Your iterates on the curve $(x - 4)^2$, beside the reference: long steps "
            "on the steep wall, shorter ones as the bowl flattens.",
            "show_descent", "gradient_descent"),
        "critical_learning_rate": Picture(
            "The learning rate decides the fate of the walk: a small rate converges "
            "slowly, a large one oscillates, one beyond the critical value diverges.",
            "show_learning_rates", "gradient_descent"),
    },
)


WEIGHT_UPDATES = Lesson(
    "weight_updates", "3. Updating many weights",
    intro="""\
# 3. Updating many weights

A model has many weights, and gradient descent moves each of them against
its own slope, all with the same learning rate:

$$w_i \\leftarrow w_i - \\eta\\, g_i.$$

With weights $[0.5, -0.5, 0.3]$, gradients $[0.1, -0.2, 0.05]$ and
$\\eta = 0.01$ the new weights are $[0.499, -0.498, 0.2995]$. Trying
$\\eta = 0.001, 0.01, 0.1, 1$ shows how the learning rate scales the size
of the change.

""" + HOW_TO,
    before={
        "update_weights": """\
## One update

Return the new weights and leave the list you were given as it was: the
caller may still need the old weights.""",
        "sweep_learning_rates": """\
## Several learning rates side by side

Map each learning rate to the weights one update with that rate would
give.""",
    },
    hints={
        "update_weights": "Build a new list (or array) of w − learning_rate·g, one entry per "
                          "weight; do not assign into `weights`.",
        "sweep_learning_rates": "A dict comprehension: {rate: update_weights(weights, "
                                "gradients, rate) for rate in learning_rates}.",
    },
)


NEURON = Lesson(
    "neuron", "4. A sigmoid neuron through two points",
    intro="""\
# 4. A sigmoid neuron through two points

One neuron with a weight $w$ and a bias $b$ computes

$$f(x) = \\sigma(w x + b), \\qquad \\sigma(z) = \\frac{1}{1 + e^{-z}}.$$

The goal: choose $w$ and $b$ so that the curve passes through the points
$(0.5, 0.2)$ and $(2.5, 0.9)$. Nudging $w$ and $b$ by hand and watching
the result is slow and unreliable; gradient descent does it
systematically.

How far the curve is from the points is measured by the squared-error
loss

$$L(w, b) = \\tfrac{1}{2} \\sum_i \\big(f(x_i) - y_i\\big)^2.$$

Over the $(w, b)$ plane this loss is a landscape with steep walls and wide
flat plateaus; training walks downhill on it.

""" + HOW_TO,
    before={
        "sigmoid": """\
## The sigmoid

It squashes any number into $(0, 1)$. Write it so that it works for a
single number and for a NumPy array alike.""",
        "predict": """\
## The neuron's output

$f(x) = \\sigma(w x + b)$.""",
        "loss": """\
## The loss

Half the sum, over all the points you are given, of the squared
differences between prediction and target. The grader also uses data sets
of other sizes than two.""",
        "gradients": """\
## The gradients, by the chain rule

With $z_i = w x_i + b$ and the sigmoid's handy derivative
$\\sigma'(z) = \\sigma(z)\\,(1 - \\sigma(z))$:

$$\\frac{\\partial L}{\\partial w} = \\sum_i \\big(f(x_i) - y_i\\big)\\,
f(x_i)\\big(1 - f(x_i)\\big)\\,x_i, \\qquad
\\frac{\\partial L}{\\partial b} = \\sum_i \\big(f(x_i) - y_i\\big)\\,
f(x_i)\\big(1 - f(x_i)\\big).$$

The $\\tfrac12$ of the loss cancels the 2 of the square. Return the pair
$(\\partial L/\\partial w, \\partial L/\\partial b)$.""",
        "train": """\
## Training

Full-batch gradient descent: in every epoch compute both gradients at the
current $(w, b)$ over all the points, then move $w$ and $b$ together.
From $(w, b) = (-2, -2)$ with $\\eta = 1$, 1000 epochs on the two points
reach $w \\approx 1.79172$, $b \\approx -2.28212$, a loss of about
$2.4 \\times 10^{-11}$. (Deeper networks compute the same gradients layer
by layer: that is backpropagation, and this neuron is its smallest case.)""",
    },
    hints={
        "sigmoid": "1 / (1 + np.exp(-z)) works for numbers and arrays; math.exp does not "
                   "take arrays.",
        "predict": "Return sigmoid(w * x + b).",
        "loss": "Loop over zip(xs, ys), add (predict(w, b, x) − y)², and halve the sum "
                "(a sum, not a mean).",
        "gradients": "For each point, err = predict − y and s = predict·(1 − predict); add "
                     "err·s·x to ∂L/∂w and err·s to ∂L/∂b.",
        "train": "Repeat `epochs` times: gw, gb = gradients(w, b, xs, ys), then update both "
                 "w and b from those same gradients; return (w, b).",
    },
    pictures={
        "train": Picture(
            "The loss over $w, b \\in [-6, 6]$ with the training path from $(-2, -2)$: "
            "it crosses a flat plateau slowly, then runs down into the valley. The path "
            "uses your `gradients`.",
            "show_loss_surface", "gradients"),
    },
)


LESSONS = {lesson.module: lesson for lesson in
           (DERIVATIVES, GRADIENT_DESCENT, WEIGHT_UPDATES, NEURON)}
