"""Exercise 4, ``neuron``: a sigmoid neuron fitted to two points (30 points).

The grader's expected gradients come from sympy: the loss of one point,
½(σ(w·x + b) − y)², is differentiated symbolically once and summed over
the data set.  The misconception models below are plain float code.
"""

from __future__ import annotations

import functools
import math
import random

from autograder.engine.families import (Factor, Parametric, ROUNDED_EXAMPLES, Rounded, Steps,
                                        factor_example, member)
from autograder.engine.judging import Mismatch, judge_cases, number, vector
from autograder.engine.spec import Case, Check, Excuse, Exercise, Lesson, Misconception, Picture, Probe
from autograder.engine.tolerance import Tolerance, fmt, is_close
from autograder.sandbox.protocol import Array, ProbeResult, as_float, as_vector

X = [0.5, 2.5]
Y = [0.2, 0.9]
START, RATE, EPOCHS = (-2.0, -2.0), 1.0, 1000


# Tolerances (see the README's "What is checked"), each with the reason for its size.
LOSS_TOLERANCE = Tolerance(1e-9, 1e-12, "a sum of at most 7 terms, in any order, rounds by ulps")
# A gradient taken numerically (central differences of the loss with
# h = 1e-4) is off by up to 8e-9 on these data sets (measured over 5 000
# random cases): accepted, with a tenfold margin.  The wrong gradients differ
# by a factor, a sign or a missing term: by far more in some case, under
# every seed.
GRADIENTS_TOLERANCE = Tolerance(1e-6, 1e-7, "a numerical gradient with h = 1e-4 is accepted")
# Training on such a numerical gradient ends within 2e-7 of training on the
# exact one, over the shapes below and the contract's 1000 epochs.
TRAIN_TOLERANCE = Tolerance(1e-6, 1e-6, "training on a numerical gradient (h = 1e-4) is accepted")


def sigma(z: float) -> float:
    if z < -700:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


@functools.lru_cache(maxsize=1)
def _point_gradient():
    """d/dw and d/db of ½(σ(w·x + b) − y)², derived by sympy, as float code."""
    import sympy
    w, b, x, y = sympy.symbols("w b x y")
    term = sympy.Rational(1, 2) * (1 / (1 + sympy.exp(-(w * x + b))) - y) ** 2
    return (sympy.lambdify((w, b, x, y), sympy.diff(term, w), "math"),
            sympy.lambdify((w, b, x, y), sympy.diff(term, b), "math"))


def loss(w, b, xs, ys) -> float:
    return 0.5 * sum((sigma(w * x + b) - y) ** 2 for x, y in zip(xs, ys))


def gradients(w, b, xs, ys) -> list[float]:
    """Sympy's per-point gradient (:func:`_point_gradient`), summed exactly.

    The expressions are sympy's as it prints them, operation for operation
    (so every float is the same, bit for bit: tests/test_reference_maths.py
    holds them to it), with the exp(−b − w·x) they share worked out once per
    point: the misconception models train for 1000 epochs on this."""
    gw, gb = [], []
    exp = math.exp
    for x, y in zip(xs, ys):
        e = exp(-b - w*x)
        a = -y + 1/(e + 1)
        d = (e + 1)**2
        gw.append(x*a*e/d)      # x*(-y + 1/(e + 1))*e/(e + 1)**2
        gb.append(a*e/d)        # (-y + 1/(e + 1))*e/(e + 1)**2
    return [math.fsum(gw), math.fsum(gb)]


def train(w, b, xs, ys, lr, epochs, grad=gradients, sign=-1.0):
    for _ in range(epochs):
        gw, gb = grad(w, b, xs, ys)
        w, b = w + sign * lr * gw, b + sign * lr * gb
    return [w, b]


# The same, as code with a misconception would compute it.

def _errors(w, b, xs, ys):
    return [(sigma(w * x + b) - y, sigma(w * x + b), x) for x, y in zip(xs, ys)]


def grad_without_sigma_prime(w, b, xs, ys):
    e = _errors(w, b, xs, ys)
    return [sum(d * x for d, _, x in e), sum(d for d, _, _ in e)]


def grad_without_x(w, b, xs, ys):
    e = _errors(w, b, xs, ys)
    g = sum(d * s * (1 - s) for d, s, _ in e)
    return [g, g]


def train_sequential(w, b, xs, ys, lr, epochs):
    for _ in range(epochs):
        w = w - lr * gradients(w, b, xs, ys)[0]
        b = b - lr * gradients(w, b, xs, ys)[1]
    return [w, b]


def train_stochastic(w, b, xs, ys, lr, epochs):
    for _ in range(epochs):
        for x, y in zip(xs, ys):
            gw, gb = gradients(w, b, [x], [y])
            w, b = w - lr * gw, b - lr * gb
    return [w, b]


def gradients_with(w, b, xs, ys, prime):
    """The gradient with σ′ computed as ``prime(z, s)`` (z = w·x + b, s = σ(z))."""
    gw = gb = 0.0
    terms = []
    for x, y in zip(xs, ys):
        z = w * x + b
        s = sigma(z)
        d = (s - y) * prime(z, s)
        terms.append((d * x, d))
    return [math.fsum(t[0] for t in terms), math.fsum(t[1] for t in terms)]


# σ′ where the chain rule does not take it: (what a student computes, in words).
SIGMA_PRIME_ELSEWHERE = (
    (lambda z, s: sigma(s) * (1 - sigma(s)),
     "σ′ taken at the output f = σ(z): σ(f)(1 − σ(f))"),
    (lambda z, s: z * (1 - z), "z(1 − z), the input z in place of the output σ(z)"),
)


def train_batches(w, b, xs, ys, lr, epochs, size, stream=False, keep_last=True):
    """Updates after every ``size`` points: batches restarting each epoch,
    or (``stream``) cut from the run of every epoch's points one after the
    other (a counter that runs on); a last, shorter batch used or
    (``keep_last=False``) dropped.  A negative ``size`` splits each epoch
    into ``-size`` parts as ``np.array_split`` does (the first n mod parts
    one point longer; an empty part changes nothing)."""
    if size < 0:
        parts, n = -size, len(xs)
        for _ in range(epochs):
            start = 0
            for i in range(parts):
                end = start + n // parts + (1 if i < n % parts else 0)
                if end > start:
                    gw, gb = gradients(w, b, xs[start:end], ys[start:end])
                    w, b = w - lr * gw, b - lr * gb
                start = end
        return [w, b]
    if stream:
        points = [(x, y) for _ in range(epochs) for x, y in zip(xs, ys)]
        chunks = [points]
    else:
        chunks = [list(zip(xs, ys))] * epochs
    for chunk in chunks:
        for start in range(0, len(chunk), size):
            batch = chunk[start:start + size]
            if len(batch) < size and not keep_last:
                continue
            gw, gb = gradients(w, b, [p[0] for p in batch], [p[1] for p in batch])
            w, b = w - lr * gw, b - lr * gb
    return [w, b]


# The ways of batching a family of train misconceptions covers: batch sizes
# 1 to 7 (the largest data set has 7 points), restarting each epoch or
# running on, a last short batch kept or dropped; and each epoch split into
# 2 to 4 parts of (nearly) equal size.
BATCHINGS = tuple((size, stream, keep) for size in range(1, 8) for stream in (False, True)
                  for keep in (True, False)) + tuple((-parts, False, True) for parts in (2, 3, 4))


def _batching(how) -> str:
    size, stream, keep = how
    if size < 0:
        return f"each epoch split into {-size} parts, an update after each"
    what = "each point" if size == 1 else f"every {size} points"
    more = ("; the batches run on from one epoch into the next" if stream else "") + \
        ("" if keep or size == 1 else "; a last, shorter batch is dropped")
    return f"an update after {what}{more}"


def _data(rng: random.Random, n: int):
    return ([round(rng.uniform(-3, 3), 3) for _ in range(n)],
            [round(rng.uniform(0.05, 0.95), 3) for _ in range(n)])


def _wb(rng: random.Random):
    return round(rng.uniform(-3, 3), 3), round(rng.uniform(-3, 3), 3)


def _datasets(rng: random.Random):
    """The contract's two points, then data sets of other sizes."""
    yield X, Y, "the two points"
    for n in (1, 3, 5):
        xs, ys = _data(rng, n)
        yield xs, ys, f"{n} point{'s' if n > 1 else ''}"


# ---------------------------------------------------------------- sigmoid

def sigmoid_cases(rng: random.Random) -> list[Case]:
    zs = [0.0, -30.0] + [round(rng.uniform(-8, 8), 3) for _ in range(4)]
    cases = [Case((Probe("sigmoid", (z,)),), expected=sigma(z), context={"z": [z]},
                  kind="numbers") for z in zs]
    arr = [round(rng.uniform(-6, 6), 3) for _ in range(5)]
    cases.append(Case((Probe("sigmoid", (Array(tuple(arr)),)),), expected=[sigma(z) for z in arr],
                      context={"z": arr, "array": True}, label="a NumPy array",
                      kind="NumPy arrays"))
    return cases


_scalar, _elementwise = number(), vector()


def sigmoid_compare(case: Case, results, expected) -> Mismatch | None:
    if isinstance(expected, list):
        return _elementwise(case, results, expected)
    return _scalar(case, results, expected)


def _sigmoid_model(fn):
    def model(case: Case):
        values = [fn(z) for z in case.context["z"]]
        return values if case.context.get("array") else values[0]
    return model


SIGMOID_MISCONCEPTIONS = (
    Misconception(
        "sigmoid-sign", "e^z in place of e^(−z)",
        "σ(z) = 1 / (1 + e^(−z)): the exponent is minus z, so σ rises from 0 to 1 "
        "as z grows.",
        model=_sigmoid_model(lambda z: sigma(-z))),
    Misconception(
        "sigmoid-math-exp", "math.exp, which takes one number only",
        "math.exp works on a single number; np.exp works on numbers and arrays "
        "alike, element by element.",
        error_pattern=r"TypeError: .*(only (length-1|0-dimensional|size-1) arrays|"
                      r"must be real number, not numpy\.ndarray)"),
)


# ---------------------------------------------------------------- predict

def predict_cases(rng: random.Random) -> list[Case]:
    cases = []
    for _ in range(5):
        w, b = _wb(rng)
        x = round(rng.uniform(-3, 3), 3)
        cases.append(Case((Probe("predict", (w, b, x)),), expected=sigma(w * x + b),
                          context={"w": w, "b": b, "x": x}))
    return cases


def _predict_model(fn):
    return lambda case: fn(case.context["w"], case.context["b"], case.context["x"])


PREDICT_MISCONCEPTIONS = (
    Misconception(
        "predict-no-sigmoid", "w·x + b returned without the sigmoid",
        "w·x + b is the neuron's input z; its output is σ(z) = sigmoid(w*x + b).",
        model=_predict_model(lambda w, b, x: w * x + b)),
    Misconception(
        "predict-no-bias", "the bias b left out",
        "The neuron's input is w·x + b: the bias shifts the curve left or right.",
        model=_predict_model(lambda w, b, x: sigma(w * x))),
)


# ------------------------------------------------------------ loss

def _data_cases(rng: random.Random, function: str, expected_fn) -> list[Case]:
    cases = []
    for i, (xs, ys, label) in enumerate(_datasets(rng)):
        for _ in range(2 if i == 0 else 1):
            w, b = _wb(rng)
            args = (w, b, xs, ys) if i != 2 else (w, b, Array(tuple(xs)), Array(tuple(ys)))
            cases.append(Case((Probe(function, args),), expected=expected_fn(w, b, xs, ys),
                              context={"w": w, "b": b, "xs": xs, "ys": ys},
                              label=label + (" as NumPy arrays" if i == 2 else "")))
    return cases


def _data_model(fn):
    c = lambda case: (case.context["w"], case.context["b"], case.context["xs"], case.context["ys"])
    return lambda case: fn(*c(case))


LOSS_MISCONCEPTIONS = (
    Misconception(
        "loss-no-half", "the factor ½ left out",
        "L(w, b) = ½ Σᵢ (f(xᵢ) − yᵢ)²: the ½ is there so that the 2 from "
        "differentiating the square cancels.",
        model=_data_model(lambda w, b, xs, ys: 2 * loss(w, b, xs, ys))),
    Misconception(
        "loss-mean", "the mean over the points instead of the sum",
        "The loss sums over the points: ½ Σᵢ (f(xᵢ) − yᵢ)². With two points ½ Σ and "
        "the mean happen to agree; with other numbers of points they do not.",
        model=_data_model(lambda w, b, xs, ys: 2 * loss(w, b, xs, ys) / len(xs))),
    Misconception(
        "loss-not-squared", "absolute errors instead of squared errors",
        "Square each error: (f(xᵢ) − yᵢ)², not |f(xᵢ) − yᵢ|.",
        model=_data_model(lambda w, b, xs, ys: 0.5 * sum(
            abs(sigma(w * x + b) - y) for x, y in zip(xs, ys)))),
    Misconception(
        "loss-divided-by-n", "divided by the number of points (a mean) where the loss sums",
        "L(w, b) = ½ Σᵢ (f(xᵢ) − yᵢ)² adds the points' errors up: ½ · np.mean(...) or a "
        "division by len(xs) is a different loss, which agrees with it only on one point.",
        family=Factor(per_case=lambda case: 1 / len(case.context["xs"]), unit="/n",
                      examples=(factor_example(1.0, lambda case: 1 / len(case.context["xs"])),))),
    Misconception(
        "loss-factor", "off by a constant factor",
        "L(w, b) = ½ Σᵢ (f(xᵢ) − yᵢ)²: one factor ½ in front of the sum, and nothing else "
        "multiplying it.",
        family=Factor(examples=(factor_example(0.25),))),
    Misconception(
        "loss-rounded", "the loss rounded before it is returned",
        "Return the loss as computed: near a good fit it is tiny (about 2.4e−11 after "
        "training), and rounding it to a few decimals makes it 0.",
        family=Rounded(examples=ROUNDED_EXAMPLES)),
)


# ------------------------------------------------------------ gradients

GRADIENT_MISCONCEPTIONS = (
    Misconception(
        "grad-no-sigmoid-derivative", "the factor σ(1 − σ) of the chain rule left out",
        "By the chain rule each term is (f(xᵢ) − yᵢ) · σ'(zᵢ) · ∂zᵢ/∂w, and "
        "σ'(z) = σ(z)(1 − σ(z)). The middle factor is missing.",
        model=_data_model(grad_without_sigma_prime)),
    Misconception(
        "grad-no-x", "∂L/∂w computed without the factor xᵢ",
        "zᵢ = w·xᵢ + b, so ∂zᵢ/∂w = xᵢ while ∂zᵢ/∂b = 1: ∂L/∂w has an extra factor xᵢ.",
        model=_data_model(grad_without_x)),
    Misconception(
        "grad-swapped", "(∂L/∂b, ∂L/∂w) returned in place of (∂L/∂w, ∂L/∂b)",
        "Return the pair in the order (∂L/∂w, ∂L/∂b).",
        model=_data_model(lambda w, b, xs, ys: gradients(w, b, xs, ys)[::-1])),
    Misconception(
        "grad-negated", "the gradient with the wrong sign",
        "The error is f(xᵢ) − yᵢ (prediction minus target); y − f flips the sign of "
        "the gradient and would send training uphill.",
        model=_data_model(lambda w, b, xs, ys: [-g for g in gradients(w, b, xs, ys)])),
    Misconception(
        "grad-mean", "the mean over the points instead of the sum",
        "L sums over the points, so its gradient sums their contributions too; "
        "dividing by the number of points is the gradient of a different loss.",
        model=_data_model(lambda w, b, xs, ys: [g / len(xs) for g in gradients(w, b, xs, ys)])),
    Misconception(
        "grad-factor-2", "a factor 2 that the ½ in the loss cancels",
        "d/df ½(f − y)² = (f − y): the 2 from the square cancels the ½.",
        model=_data_model(lambda w, b, xs, ys: [2 * g for g in gradients(w, b, xs, ys)])),
    Misconception(
        "grad-sigma-prime-elsewhere", "σ′ evaluated at the wrong point",
        "σ′ belongs to the neuron's input z = w·x + b: σ′(z) = σ(z)(1 − σ(z)) = f(1 − f), "
        "with f = σ(z) the output. Passing the output f to a function that computes σ′ "
        "applies the sigmoid twice; f(1 − f) needs no second call.",
        family=Parametric(
            lambda case, how: gradients_with(case.context["w"], case.context["b"],
                                             case.context["xs"], case.context["ys"], how[0]),
            SIGMA_PRIME_ELSEWHERE, lambda how: how[1],
            examples=tuple(_data_model(lambda w, b, xs, ys, p=p: gradients_with(w, b, xs, ys, p))
                           for p, _ in SIGMA_PRIME_ELSEWHERE))),
    Misconception(
        "grad-factor", "both derivatives off by a constant factor",
        "d/df ½(f − y)² = f − y, times σ′(z), times ∂z/∂w = x (or ∂z/∂b = 1): no other factor "
        "and no division.",
        family=Factor(examples=(factor_example(0.5),))),
    Misconception(
        "grad-rounded", "the derivatives rounded before they are returned",
        "Return the sums as computed: on the flat parts of the loss the derivatives are "
        "small, and rounding them to a few decimals loses them entirely.",
        family=Rounded(examples=ROUNDED_EXAMPLES)),
)


_pair = vector(GRADIENTS_TOLERANCE, label="component", what="numbers (∂L/∂w, ∂L/∂b)")


# ------------------------------------------- gradients agree with loss

FD_STEP = 1e-5


def consistency_cases(rng: random.Random) -> list[Case]:
    cases = []
    for n in (2, 3):
        xs, ys = _data(rng, n)
        w, b = _wb(rng)
        h = FD_STEP
        probes = (Probe("gradients", (w, b, xs, ys)),
                  Probe("loss", (w + h, b, xs, ys)), Probe("loss", (w - h, b, xs, ys)),
                  Probe("loss", (w, b + h, xs, ys)), Probe("loss", (w, b - h, xs, ys)))
        cases.append(Case(probes, expected=None, context={"w": w, "b": b, "xs": xs, "ys": ys}))
    return cases


def consistency_compare(case: Case, results: list[ProbeResult], expected) -> Mismatch | None:
    grads = as_vector(results[0].value)
    losses = [as_float(r.value) for r in results[1:]]
    if grads is None or len(grads) != 2 or None in losses:
        return Mismatch("gradients or loss did not return numbers",
                        "a pair of numbers and a number")
    slopes = [(losses[0] - losses[1]) / (2 * FD_STEP), (losses[2] - losses[3]) / (2 * FD_STEP)]
    if all(is_close(g, s, 1e-5, 1e-7) for g, s in zip(grads, slopes)):
        return None
    return Mismatch(
        f"gradients(...) = ({fmt(grads[0])}, {fmt(grads[1])})",
        f"≈ ({fmt(slopes[0])}, {fmt(slopes[1])}), the central differences of your own loss",
        why="Your gradients are not the slopes of your loss. Check both against "
            "L(w, b) = ½ Σ (f(x) − y)²: a factor ½ or 2, or a mean, in one but not the other?")


def _slopes_of_the_right_loss(case: Case, results: list[ProbeResult]) -> bool:
    """The student's gradients are the slopes of the right loss (their own
    loss, charged by its check, is what this case's mismatch comes from)."""
    if any(r.status != "value" for r in results):
        return False
    grads = as_vector(results[0].value)
    c = case.context
    want = gradients(c["w"], c["b"], c["xs"], c["ys"])
    return grads is not None and len(grads) == 2 and all(
        GRADIENTS_TOLERANCE.close(g, e) for g, e in zip(grads, want))


LOSS_CHARGED = Excuse(
    _slopes_of_the_right_loss,
    "Your gradients are the slopes of the right loss; your own loss differs, and that is "
    "charged once, in loss's own check, not again here.", function="loss")


# ------------------------------------------------------------ train

# The shapes of train's cases, fixed for every seed: (epochs, data set
# size; 0 for the contract's two points).  Sizes 1, 3, 5 and 7 are not
# multiples of 2, 4 and 7 not multiples of 3, so code that updates after
# every point or every few points (a batch counter, reset each epoch or
# running on across epochs) is off in several cases under every seed.
TRAIN_SHAPES = ((0, 3), (1, 0), (2, 3), (3, 1), (5, 4), (2, 7), (4, 5), (3, 6))


def train_cases(rng: random.Random) -> list[Case]:
    cases = []
    for epochs, n in TRAIN_SHAPES:
        xs, ys = (X, Y) if n == 0 else _data(rng, n)
        w, b = _wb(rng)
        lr = round(rng.uniform(0.1, 2.0), 3)
        cases.append(Case((Probe("train", (w, b, xs, ys, lr, epochs)),),
                          expected=train(w, b, xs, ys, lr, epochs),
                          context={"w": w, "b": b, "xs": xs, "ys": ys, "lr": lr, "epochs": epochs},
                          label=f"epochs = {epochs}, {len(xs)} point{'s' if len(xs) > 1 else ''}"))
    w, b = START
    cases.append(Case((Probe("train", (w, b, X, Y, RATE, EPOCHS)),),
                      expected=train(w, b, X, Y, RATE, EPOCHS),
                      context={"w": w, "b": b, "xs": X, "ys": Y, "lr": RATE, "epochs": EPOCHS},
                      label="the contract's 1000 epochs: w ≈ 1.79172, b ≈ −2.28212"))
    return cases


def _train_model(fn):
    def model(case: Case):
        c = case.context
        return fn(c["w"], c["b"], c["xs"], c["ys"], c["lr"], c["epochs"])
    return model


def _batched(case: Case, how):
    """What training in batches (``how``: see train_batches) returns."""
    return _train_model(lambda *a: train_batches(*a, *how))(case)


TRAIN_MISCONCEPTIONS = (
    Misconception(
        "train-sequential-update", "w updated before b's gradient is computed",
        "Compute both gradients at the current (w, b) first, then update w and b "
        "together; updating w first changes the point where b's gradient is taken.",
        model=_train_model(train_sequential)),
    Misconception(
        "train-ascent", "w and b moved along the gradient",
        "Move against the gradient: w ← w − η·∂L/∂w and b ← b − η·∂L/∂b.",
        model=_train_model(lambda w, b, xs, ys, lr, n: train(w, b, xs, ys, lr, n, sign=+1.0))),
    Misconception(
        "train-off-by-one", "one epoch too many",
        "Make exactly `epochs` updates: for _ in range(epochs).",
        model=_train_model(lambda w, b, xs, ys, lr, n: train(w, b, xs, ys, lr, n + 1))),
    Misconception(
        "train-stochastic", "an update after each point instead of one per epoch",
        "Full-batch descent sums the gradients over all points and makes one update "
        "per epoch; updating after each point is stochastic gradient descent.",
        model=_train_model(train_stochastic)),
    Misconception(
        "train-no-learning-rate", "the learning rate is not used",
        "Scale each step by the learning rate: w ← w − η·∂L/∂w.",
        model=_train_model(lambda w, b, xs, ys, lr, n: train(w, b, xs, ys, 1.0, n))),
    Misconception(
        "train-mini-batches", "updates after a point or a batch of points, inside an epoch",
        "Full-batch descent takes one step per epoch, from the gradient summed over all the "
        "points (gradients(w, b, xs, ys)); a step after each point or each few points is "
        "stochastic or mini-batch descent, a different algorithm.",
        family=Parametric(
            _batched, BATCHINGS, _batching,
            examples=tuple(member(_batched, how)
                           for how in ((3, False, True), (2, True, False), (4, False, False),
                                       (-2, False, True))))),
    Misconception(
        "train-epochs-off", "a different number of epochs than `epochs`",
        "Make exactly `epochs` updates: for _ in range(epochs), one update each.",
        family=Steps(lambda case, n: train(case.context["w"], case.context["b"],
                                           case.context["xs"], case.context["ys"],
                                           case.context["lr"], n),
                     steps=lambda case: case.context["epochs"], unit="epoch")),
    Misconception(
        "train-rounded", "w and b rounded before they are returned",
        "Return w and b as computed: rounding them moves the fit off the points, by more "
        "than the grader's tolerance.",
        family=Rounded(examples=ROUNDED_EXAMPLES)),
)


PICTURES = "autograder.course.plots"  # where the lesson's pictures are drawn

# What the exercise's notebook teaches (the classroom); its hints are also
# what hint("<function>") says.
LESSON = Lesson(
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
flat plateaus; training walks downhill on it.""",
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
    hints={  # a nudge first, then more; never the answer (tests/test_course.py)
        "sigmoid": (
            "σ squashes any real number into (0, 1): σ(0) is ½, a large positive z gives "
            "nearly 1, a large negative one nearly 0.",
            "σ(z) is one over one plus e to the power minus z. Mind the sign of that "
            "exponent.",
            "The checks also hand in a NumPy array: use NumPy's exponential, which works "
            "element by element, not the math module's, which takes single numbers only.",
        ),
        "predict": (
            "The neuron first combines its input linearly, then squashes the result.",
            "The linear part is w times x plus b; put it through your sigmoid.",
        ),
        "loss": (
            "The loss measures how far the predictions are from the targets, over all the "
            "points together.",
            "For each point, take the prediction minus the target and square it; add "
            "these squares up over the points.",
            "Then halve the total: the course's loss has the factor ½, and it is a sum, "
            "not a mean.",
        ),
        "gradients": (
            "The chain rule: how the loss changes with w is a product of one factor per "
            "link, from the loss to the prediction, to the sigmoid's input, to w.",
            "Per point: the error (prediction minus target), times σ′ at the sigmoid's "
            "input, which is the prediction times one minus the prediction, times the "
            "input's slope in w, which is x (in b it is 1).",
            "Add the contributions of all the points. To test it, nudge w by a small h "
            "both ways and compare the change of your own loss with your ∂L/∂w.",
        ),
        "train": (
            "Training repeats one full-batch step of gradient descent, once per epoch, on "
            "w and b together.",
            "In each epoch compute both gradients at the current (w, b) over all the "
            "points, then move each of w and b against its own gradient, by the learning "
            "rate times it.",
            "Both updates use the same pair of gradients: if b's update already sees the "
            "new w, it is no longer a gradient step. Zero epochs give back the start.",
        ),
    },
    pictures={
        "train": Picture(
            "show_loss_surface", ("gradients",), PICTURES,
            "The loss over $w, b \\in [-6, 6]$ with the training path from $(-2, -2)$: "
            "it crosses a flat plateau slowly, then runs down into the valley. The path "
            "uses your `gradients`."),
    },
    on_failure={
        "train": Picture("show_training", ("train",), PICTURES),
    },
)


EXERCISE = Exercise(
    module="neuron",
    title="A sigmoid neuron fitted to two points",
    checks=(
        Check("sigmoid is 1/(1+e^-z) for numbers and arrays", "sigmoid", 4, sigmoid_cases,
              judge_cases, compare=sigmoid_compare, misconceptions=SIGMOID_MISCONCEPTIONS,
              kinds=(("numbers", 3), ("NumPy arrays", 1))),
        Check("predict is sigmoid(w*x + b)", "predict", 3, predict_cases, judge_cases,
              compare=number(), misconceptions=PREDICT_MISCONCEPTIONS, depends_on=("sigmoid",)),
        Check("loss is the half sum of squared errors", "loss", 6,
              lambda rng: _data_cases(rng, "loss", loss), judge_cases,
              compare=number(LOSS_TOLERANCE), misconceptions=LOSS_MISCONCEPTIONS,
              depends_on=("sigmoid", "predict")),
        Check("gradients are (dL/dw, dL/db)", "gradients", 7,
              lambda rng: _data_cases(rng, "gradients", gradients), judge_cases,
              compare=_pair, misconceptions=GRADIENT_MISCONCEPTIONS, depends_on=("sigmoid", "predict")),
        Check("gradients agree with the slopes of loss", "gradients", 2, consistency_cases,
              judge_cases, compare=consistency_compare, depends_on=("loss",),
              excuses=(LOSS_CHARGED,)),
        Check("train runs full-batch gradient descent", "train", 8, train_cases, judge_cases,
              compare=vector(TRAIN_TOLERANCE, label="component", what="numbers (w, b)"),
              misconceptions=TRAIN_MISCONCEPTIONS, depends_on=("sigmoid", "predict", "gradients")),
    ),
    lesson=LESSON,
)
