"""Exercise 6, ``minibatch``: mini-batch gradient descent on the neuron (15 points).

The grader's own training loop is plain float code: exercise 4's gradient
of one point, summed over each batch with ``math.fsum``.
"""

from __future__ import annotations

import functools
import math
import random

from autograder.engine.families import ROUNDED_EXAMPLES, Rounded, Steps
from autograder.engine.judging import judge_cases, vector
from autograder.engine.spec import Case, Check, Exercise, Lesson, Misconception, Picture, Probe
from autograder.engine.tolerance import Tolerance
from autograder.sandbox.protocol import Array

X = [0.5, 2.5]
Y = [0.2, 0.9]


def sigma(z: float) -> float:
    if z < -700:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def point_gradient(w, b, x, y) -> tuple[float, float]:
    """(∂/∂w, ∂/∂b) of ½(σ(w·x + b) − y)²."""
    s = sigma(w * x + b)
    d = (s - y) * s * (1 - s)
    return d * x, d


def batch_gradient(w, b, xs, ys):
    terms = [point_gradient(w, b, x, y) for x, y in zip(xs, ys)]
    return math.fsum(t[0] for t in terms), math.fsum(t[1] for t in terms)


def batches(n: int, size: int, keep_last: bool = True):
    """The (start, end) of each batch of one epoch, in order."""
    for start in range(0, n, size):
        end = min(start + size, n)
        if end - start == size or keep_last:
            yield start, end


def train(w, b, xs, ys, lr, epochs, size, mean=False, keep_last=True, sequential=False):
    """The grader's mini-batch descent (and, with the options, what some
    mistaken versions compute)."""
    for _ in range(epochs):
        for start, end in batches(len(xs), size, keep_last):
            gw, gb = batch_gradient(w, b, xs[start:end], ys[start:end])
            if mean:
                gw, gb = gw / (end - start), gb / (end - start)
            if sequential:
                w = w - lr * gw
                b = b - lr * batch_gradient(w, b, xs[start:end], ys[start:end])[1] / (
                    (end - start) if mean else 1)
            else:
                w, b = w - lr * gw, b - lr * gb
    return [w, b]


def train_not_reset(w, b, xs, ys, lr, epochs, size):
    """The sums started at 0 once per epoch, not once per batch."""
    for _ in range(epochs):
        gw = gb = 0.0
        for start, end in batches(len(xs), size):
            for x, y in zip(xs[start:end], ys[start:end]):
                dw, db = point_gradient(w, b, x, y)
                gw, gb = gw + dw, gb + db
            w, b = w - lr * gw, b - lr * gb
    return [w, b]


def train_carry_over(w, b, xs, ys, lr, epochs, size):
    """Batches cut from the stream of every epoch's points: a short last
    batch is filled from the next epoch."""
    stream = [(x, y) for _ in range(epochs) for x, y in zip(xs, ys)]
    for start in range(0, len(stream), size):
        chunk = stream[start:start + size]
        gw, gb = batch_gradient(w, b, [p[0] for p in chunk], [p[1] for p in chunk])
        w, b = w - lr * gw, b - lr * gb
    return [w, b]


# The shapes, fixed for every seed: (number of points, batch sizes, epochs).
# Every data size from 1 to 7 with every batch size from 1 to beyond it
# (sizes that divide it and sizes that leave a short last batch), and the
# contract's two points.  The seed draws only the data, (w, b) and η.
SIZES = (1, 2, 3, 4, 5, 6, 7)
EPOCHS = 3


def _wb(rng):
    return round(rng.uniform(-3, 3), 3), round(rng.uniform(-3, 3), 3)


def mb_cases(rng: random.Random) -> list[Case]:
    specs = [(-2.0, -2.0, X, Y, 1.0, 1, 1, "the contract's example: 1 epoch of SGD"),
             (-2.0, -2.0, X, Y, 1.0, 200, 1, "200 epochs of SGD on the two points")]
    for n in SIZES:
        xs = [round(rng.uniform(-3, 3), 3) for _ in range(n)]
        ys = [round(rng.uniform(0.05, 0.95), 3) for _ in range(n)]
        for size in range(1, n + 2):
            w, b = _wb(rng)
            lr = round(rng.uniform(0.5, 2.0), 3)
            short = n % size and size < n
            specs.append((w, b, xs, ys, lr, EPOCHS, size,
                          f"{n} point{'s' if n > 1 else ''} in batches of {size}"
                          + (" (a last, shorter batch)" if short else "")))
    cases = []
    for i, (w, b, xs, ys, lr, epochs, size, label) in enumerate(specs):
        # Some data sets go as NumPy arrays, the others as lists.
        sent = (Array(tuple(xs)), Array(tuple(ys))) if i % 3 == 2 else (xs, ys)
        cases.append(Case((Probe("minibatch_train", (w, b, *sent, lr, epochs, size)),),
                          expected=train(w, b, xs, ys, lr, epochs, size),
                          context={"w": w, "b": b, "xs": xs, "ys": ys, "lr": lr,
                                   "epochs": epochs, "size": size},
                          label=label))
    return cases


def _model(fn):
    """What code computing ``fn`` returns.  Remembered by its arguments: the
    contract's cases are the same under every seed, and judging one
    submission asks every model about every case."""
    @functools.lru_cache(maxsize=4096)
    def remembered(*args):
        w, b, xs, ys, *rest = args
        return tuple(fn(w, b, list(xs), list(ys), *rest))

    def model(case: Case, epochs: int | None = None):
        c = case.context
        return list(remembered(c["w"], c["b"], tuple(c["xs"]), tuple(c["ys"]), c["lr"],
                               c["epochs"] if epochs is None else epochs, c["size"]))
    return model


_REFERENCE = _model(train)   # the grader's own run, for any number of epochs

MISCONCEPTIONS = (
    Misconception(
        "minibatch-mean", "the batch's mean gradient instead of its sum",
        "The batch's loss is ½ Σ over its points (a sum, not a mean): add up the points' "
        "gradients and do not divide by the batch size.",
        model=_model(lambda *a: train(*a, mean=True))),
    Misconception(
        "minibatch-not-reset", "the gradient sums not reset between batches",
        "Start the sums at 0 for every batch: each update uses only its own batch's "
        "gradient, not everything added up since the epoch began.",
        model=_model(train_not_reset)),
    Misconception(
        "minibatch-drops-last", "the last, shorter batch dropped",
        "When the batch size does not divide the number of points, the last batch is "
        "shorter; it still counts (7 points in batches of 3: 3, 3 and 1). "
        "range(0, len(xs), batch_size) gives every batch's start.",
        model=_model(lambda *a: train(*a, keep_last=False))),
    Misconception(
        "minibatch-one-update-per-epoch", "one update per epoch, whatever the batch size",
        "Update after every batch, not once per epoch: an epoch of batches of k points "
        "makes ⌈n/k⌉ updates.",
        model=_model(lambda w, b, xs, ys, lr, e, size: train(w, b, xs, ys, lr, e, len(xs)))),
    Misconception(
        "minibatch-sequential-update", "w updated before b's gradient is computed",
        "Compute both gradients of the batch at the current (w, b) first, then update "
        "w and b together.",
        model=_model(lambda *a: train(*a, sequential=True))),
    Misconception(
        "minibatch-carry-over", "a short last batch filled from the next epoch",
        "Every epoch starts again at the first point, and its last batch may be shorter; "
        "batches never run on into the next epoch.",
        model=_model(train_carry_over)),
    Misconception(
        "minibatch-epochs-off", "a different number of epochs than `epochs`",
        "Make exactly `epochs` passes over the data: for _ in range(epochs) outside the loop "
        "over the batches.",
        family=Steps(lambda case, n: _REFERENCE(case, epochs=n),
                     steps=lambda case: case.context["epochs"], unit="epoch")),
    Misconception(
        "minibatch-rounded", "w and b rounded before they are returned",
        "Return w and b as computed: rounding them throws away digits the grader checks.",
        family=Rounded(examples=ROUNDED_EXAMPLES)),
)

# The grader sums each batch with math.fsum; a student's loop or np.sum
# rounds differently by ulps per update.  Over the 3 epochs of the data
# sets and the 200 epochs of SGD (a contraction near the fit) that stays
# within 6e-14 relative (NumPy slices and np.sum, loops and math.exp,
# measured over 200 seeds): 1e-9 leaves a wide margin, and every
# misconception is off by far more in some case under every seed.
TOLERANCE = Tolerance(1e-9, 1e-12, "the sums in another order round by ulps per update")

PICTURES = "autograder.course.optimizer_plots"  # where the lesson's pictures are drawn

# What the exercise's notebook teaches (the classroom); its hints are also
# what hint("<function>") says.
LESSON = Lesson(
    intro="""\
# 6. Stochastic and mini-batch gradient descent

Assignment 1's `train` is *full-batch* gradient descent: it adds up the
gradient over every point, then takes one step. With a million points that
is a million gradient terms for a single step.

**Stochastic gradient descent** (SGD) updates after every single point;
**mini-batch** descent after every batch of `batch_size` consecutive points.
One pass over the data (an epoch) then makes many small updates instead of
one, each from less data and so a little noisier. With a batch as large as
the data set it is full-batch descent again.

On the neuron's two points, from $(w, b) = (-2, -2)$ with $\\eta = 1$, one
epoch of SGD ends at $(-1.994476, -1.992276)$, very near the one full-batch
step $(-1.994508, -1.992289)$; after 1000 epochs both are close to
$(1.7917, -2.2821)$.""",
    before={
        "minibatch_train": """\
## Training in batches

Walk the points in order, `batch_size` at a time, and after each batch move
$w$ and $b$ together against the gradient of *that batch's* loss
$\\tfrac12 \\sum_{i \\in \\text{batch}} (\\sigma(w x_i + b) - y_i)^2$ (a sum, not
a mean). Two rules keep the batches honest:

- every update uses its own batch only: the gradient sums start from zero
  for each batch;
- every epoch starts again at the first point, and a last batch shorter
  than the others (7 points in batches of 3 give 3, 3 and 1) is still
  used; nothing carries over into the next epoch.

`batch_size = 1` is SGD; a `batch_size` of at least `len(xs)` is
full-batch descent.""",
    },
    hints={  # a nudge first, then more; never the answer (tests/test_course.py)
        "minibatch_train": (
            "Mini-batch training updates after every group of batch_size points, instead "
            "of once per pass over all of them.",
            "In each epoch, walk through the points from the first one in consecutive "
            "batches; for each batch add up both gradients over that batch's points only, "
            "then update w and b together.",
            "Each batch's sums start again from zero, and the last batch counts even when "
            "it is shorter than batch_size.",
        ),
    },
    pictures={
        "minibatch_train": Picture(
            "show_minibatch", ("minibatch_train",), PICTURES,
            "Where one-point-at-a-time training ends after 0, 1, 2, 5, …, 1000 epochs "
            "from $(-2, -2)$ with $\\eta = 1$: your `minibatch_train` (dashed) beside "
            "the reference."),
    },
    on_failure={
        "minibatch_train": Picture("show_minibatch", ("minibatch_train",), PICTURES),
    },
)


EXERCISE = Exercise(
    module="minibatch",
    title="Stochastic and mini-batch gradient descent",
    checks=(
        Check("minibatch_train runs mini-batch gradient descent", "minibatch_train", 15,
              mb_cases, judge_cases,
              compare=vector(TOLERANCE, label="component", what="numbers (w, b)"),
              misconceptions=MISCONCEPTIONS),
    ),
    lesson=LESSON,
)
