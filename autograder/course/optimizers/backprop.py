"""Exercise 8, ``backprop``: softmax, cross-entropy and backpropagation (30 points).

The grader's own derivatives of the two-layer network are written out
here from the chain rule, one scalar at a time (loops over indices, plain
floats), and ``tests/test_optimizers_checks.py`` holds them to central
differences of the grader's own loss.
"""

from __future__ import annotations

import math
import random

import numpy as np

from autograder.engine.families import Parametric
from autograder.engine.judging import Mismatch, judge_cases, number, vector
from autograder.engine.spec import Case, Check, Exercise, Lesson, Misconception, Probe
from autograder.engine.tolerance import Tolerance, fmt_pair
from autograder.sandbox.protocol import Array, Returned, as_vector, describe


# ------------------------------------------------------ the grader's maths

def softmax(z) -> list[float]:
    top = max(z)
    e = [math.exp(v - top) for v in z]
    total = math.fsum(e)
    return [v / total for v in e]


def cross_entropy(p, y) -> float:
    return -math.fsum(yi * math.log(pi) for pi, yi in zip(p, y) if yi != 0) + 0.0  # not -0.0


def sigma(a: float) -> float:
    return 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a))


def forward(x, W1, b1, W2, b2):
    a = [math.fsum(W1[j][i] * x[i] for i in range(len(x))) + b1[j] for j in range(len(b1))]
    h = [sigma(v) for v in a]
    z = [math.fsum(W2[k][j] * h[j] for j in range(len(h))) + b2[k] for k in range(len(b2))]
    return a, h, z


def loss(x, y, W1, b1, W2, b2) -> float:
    return cross_entropy(softmax(forward(x, W1, b1, W2, b2)[2]), y)


def gradients(x, y, W1, b1, W2, b2, sigma_prime=True, prime_of_a=False, transpose=False,
              dz_fn=None, prime=None) -> dict:
    """∂L/∂W1, ∂L/∂b1, ∂L/∂W2, ∂L/∂b2 by the chain rule, as nested lists
    (and, with the options, what some mistaken versions compute)."""
    a, h, z = forward(x, W1, b1, W2, b2)
    p = softmax(z)
    dz = [pk - yk for pk, yk in zip(p, y)] if dz_fn is None else dz_fn(z, p, y)
    dh = [math.fsum(W2[k][j] * dz[k] for k in range(len(dz))) for j in range(len(h))]
    if prime is not None:
        da = [dh[j] * prime(a[j], h[j]) for j in range(len(h))]
    elif not sigma_prime:
        da = dh
    elif prime_of_a:
        da = [dh[j] * a[j] * (1 - a[j]) for j in range(len(h))]
    else:
        da = [dh[j] * h[j] * (1 - h[j]) for j in range(len(h))]
    outer = lambda u, v: ([[u[r] * v[c] for r in range(len(u))] for c in range(len(v))]
                          if transpose else [[u[r] * v[c] for c in range(len(v))]
                                             for r in range(len(u))])
    return {"W1": outer(da, x), "b1": da, "W2": outer(dz, h), "b2": dz}


# ----------------------------------------------------------------- softmax

# softmax of large logits: e^{1000} overflows a float; a correct softmax
# subtracts max(z) first.  Without the shift NumPy gives nan (inf/inf).
def softmax_cases(rng: random.Random) -> list[Case]:
    r = lambda lo, hi: round(rng.uniform(lo, hi), 3)
    specs = [([2.0, 1.0, 0.1], "the contract's example"),
             ([1000.0, 1000.0], "large logits: [1000, 1000]"),
             ([r(-3, 3) for _ in range(4)], "4 logits"),
             ([r(-5, 5)], "one logit"),
             ([r(800, 1000), r(800, 1000), r(-5, 5)], "large logits"),
             ([r(-1000, -800) for _ in range(3)], "very negative logits")]
    cases = []
    for i, (z, label) in enumerate(specs):
        sent = Array(tuple(z)) if i % 2 else z
        cases.append(Case((Probe("softmax", (sent,)),), expected=softmax(z), context={"z": z},
                          label=label + (" as a NumPy array" if i % 2 else " as a list")))
    return cases


def _numpy(fn):
    with np.errstate(all="ignore"):
        return [float(v) for v in fn()]


SOFTMAX_MISCONCEPTIONS = (
    Misconception(
        "softmax-no-max-shift", "e^z without subtracting max(z) first: it overflows",
        "e^1000 is too large for a float (inf), and inf/inf is nan. Subtract max(z) from "
        "every logit first: softmax does not change, and the largest exponent is e⁰ = 1.",
        model=lambda case: _numpy(lambda: np.exp(np.array(case.context["z"])) /
                                  np.sum(np.exp(np.array(case.context["z"])))),
        error_pattern=r"OverflowError"),
    Misconception(
        "softmax-not-normalised", "e^(z − max z) returned without dividing by the sum",
        "After the exponentials, divide by their sum so that the probabilities add up to 1.",
        model=lambda case: [math.exp(v - max(case.context["z"])) for v in case.context["z"]]),
)

# A sum of at most 4 exponentials in any order, NumPy or math: ulps.
SOFTMAX_TOLERANCE = Tolerance(1e-9, 1e-15,
                              "exponentials and a short sum in any order round by ulps")


# ----------------------------------------------------------- cross_entropy

def ce_cases(rng: random.Random) -> list[Case]:
    specs = [(softmax([2.0, 1.0, 0.1]), [1.0, 0.0, 0.0], "the contract's example"),
             ([0.0, 1.0], [0.0, 1.0], "p = 0 where y = 0")]
    for n in (3, 4, 5):
        p = softmax([round(rng.uniform(-3, 3), 3) for _ in range(n)])
        y = [0.0] * n
        y[rng.randrange(n)] = 1.0
        specs.append((p, y, f"{n} classes, one-hot y"))
    p = softmax([round(rng.uniform(-3, 3), 3) for _ in range(4)])
    k = rng.randrange(4)
    p = [0.0 if i == (k + 1) % 4 else v for i, v in enumerate(p)]
    y = [0.0] * 4
    y[k] = 1.0
    specs.append((p, y, "a zero in p where y is 0"))
    q = softmax([round(rng.uniform(-2, 2), 3) for _ in range(3)])
    specs.append((softmax([round(rng.uniform(-3, 3), 3) for _ in range(3)]), q,
                  "y a distribution, not one-hot"))
    cases = []
    for i, (p, y, label) in enumerate(specs):
        sent = (Array(tuple(p)), Array(tuple(y))) if i % 2 else (p, y)
        cases.append(Case((Probe("cross_entropy", sent),), expected=cross_entropy(p, y),
                          context={"p": p, "y": y}, label=label))
    return cases


def _ce_model(fn):
    return lambda case: fn(case.context["p"], case.context["y"])


def _all_terms(p, y):
    with np.errstate(all="ignore"):
        return float(-np.sum(np.array(y) * np.log(np.array(p))))


CE_MISCONCEPTIONS = (
    Misconception(
        "ce-nan-at-zero", "0·log 0 computed as nan where y is 0 and p is 0",
        "log 0 is −inf, and 0 · (−inf) is nan. A term with yᵢ = 0 contributes 0: "
        "leave those terms out (sum only where y != 0).",
        model=_ce_model(lambda p, y: _all_terms(p, y) if any(
            pi == 0 and yi == 0 for pi, yi in zip(p, y)) else None)),
    Misconception(
        "ce-sign", "Σ y·log p without the minus sign",
        "log p is negative for p < 1, so the loss is −Σ yᵢ·log pᵢ, a positive number.",
        model=_ce_model(lambda p, y: -cross_entropy(p, y))),
    Misconception(
        "ce-mean", "the mean over the classes instead of the sum",
        "Cross-entropy sums over the classes: −Σ yᵢ·log pᵢ; np.mean divides by the number "
        "of classes.",
        model=_ce_model(lambda p, y: cross_entropy(p, y) / len(p))),
)

CE_TOLERANCE = Tolerance(1e-9, 1e-15, "a short sum of logarithms in any order rounds by ulps")


# ----------------------------------------------- softmax_cross_entropy_grad

def sceg_cases(rng: random.Random) -> list[Case]:
    specs = [([2.0, 1.0, 0.1], [1.0, 0.0, 0.0], "the contract's example")]
    for n in (2, 3, 5):
        z = [round(rng.uniform(-3, 3), 3) for _ in range(n)]
        y = [0.0] * n
        y[rng.randrange(n)] = 1.0
        specs.append((z, y, f"{n} classes"))
    specs.append(([round(rng.uniform(-3, 3), 3) for _ in range(3)],
                  softmax([round(rng.uniform(-2, 2), 3) for _ in range(3)]),
                  "y a distribution, not one-hot"))
    specs.append(([round(rng.uniform(900, 1000), 3) for _ in range(3)], [0.0, 1.0, 0.0],
                  "large logits"))
    cases = []
    for i, (z, y, label) in enumerate(specs):
        sent = (Array(tuple(z)), Array(tuple(y))) if i % 2 else (z, y)
        cases.append(Case((Probe("softmax_cross_entropy_grad", sent),),
                          expected=[p - t for p, t in zip(softmax(z), y)],
                          context={"z": z, "y": y}, label=label))
    return cases


SCEG_MISCONCEPTIONS = (
    Misconception(
        "sceg-minus-y-over-p", "−y/p, the gradient with respect to p, not to the logits z",
        "−yᵢ/pᵢ is ∂CE/∂p. Through softmax, the gradient with respect to the logits "
        "simplifies to softmax(z) − y.",
        model=lambda case: [(-t / p if p else (0.0 if t == 0 else -math.inf)) + 0.0
                            for p, t in zip(softmax(case.context["z"]), case.context["y"])]),
    Misconception(
        "sceg-sign", "y − softmax(z), the gradient with the wrong sign",
        "The gradient is softmax(z) − y: prediction minus target, positive for the classes "
        "given too much probability.",
        model=lambda case: [t - p for p, t in zip(softmax(case.context["z"]), case.context["y"])]),
)


# ----------------------------------------------------- two_layer_gradients

PARAMETERS = ("W1", "b1", "W2", "b2")

# (inputs D, hidden H, classes K), fixed for every seed: hidden sizes 1 to 5,
# 2 to 5 classes, a square W1 (where a transposed gradient has the right
# shape) and the contract's example.
NET_SHAPES = ((2, 1, 2), (3, 2, 3), (2, 3, 4), (1, 4, 5), (3, 5, 2), (3, 3, 3), (4, 2, 5))

EXAMPLE = ([1.0, 2.0], [0.0, 1.0, 0.0], [[0.1, -0.2], [0.4, 0.3]], [0.0, 0.1],
           [[0.5, -0.3], [0.2, 0.8], [-0.6, 0.1]], [0.0, 0.0, 0.0])


def tlg_cases(rng: random.Random) -> list[Case]:
    r = lambda: round(rng.uniform(-2, 2), 3)
    specs = [(EXAMPLE, "the contract's example")]
    for d, hidden, k in NET_SHAPES:
        x = [r() for _ in range(d)]
        y = [0.0] * k
        y[rng.randrange(k)] = 1.0
        W1 = [[r() for _ in range(d)] for _ in range(hidden)]
        b1 = [r() for _ in range(hidden)]
        W2 = [[r() for _ in range(hidden)] for _ in range(k)]
        b2 = [r() for _ in range(k)]
        specs.append(((x, y, W1, b1, W2, b2), f"{d} inputs, {hidden} hidden, {k} classes"))
    cases = []
    for i, (args, label) in enumerate(specs):
        # Half the cases as NumPy arrays (2-D for the weights), half as lists.
        sent = tuple(_array(a) for a in args) if i % 2 else args
        cases.append(Case((Probe("two_layer_gradients", sent),), expected=gradients(*args),
                          context={"args": args}, label=label + (" as NumPy arrays" if i % 2
                                                                 else " as lists")))
    return cases


def _array(value):
    """A list (or a list of rows) sent as a NumPy array."""
    if value and isinstance(value[0], list):
        return Array(tuple(tuple(row) for row in value))
    return Array(tuple(value))


def _matrix(value: Returned) -> list[list[float]] | None:
    """A 2-D array or a list/tuple of rows of numbers, as rows."""
    if value.kind == "array":
        if len(value.shape) == 2:
            return [[float(v) for v in row] for row in value.value]
        return None
    if value.kind in ("list", "tuple"):
        rows = [as_vector(item) for item in value.value]
        if not rows or any(r is None for r in rows) or len({len(r) for r in rows}) != 1:
            return None
        return rows
    return None


def _shape(x) -> tuple[int, ...]:
    return (len(x), len(x[0])) if x and isinstance(x[0], list) else (len(x),)


def _cell(key, index) -> str:
    return f"{key}{list(index)}"


# A correct loop in another order, a vectorised version, np.outer or
# x[:, None] broadcasting, all round by ulps (within 8e-13 relative of the
# grader's, measured over 200 seeds); a gradient taken by central
# differences with h = 1e-5 is off by up to 1.1e-10 here, 1% of this
# tolerance: accepted.  The wrong ones are off by a factor or a term.
TLG_TOLERANCE = Tolerance(1e-6, 1e-8, "a numerical gradient (central differences, h = 1e-5) "
                                      "is accepted")


def tlg_compare(case: Case, results, expected) -> Mismatch | None:
    value = results[0].value
    want = "a dict {'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...} of arrays"
    if value.kind != "dict":
        why = "Got None: did you forget a `return`?" if value.kind == "none" else \
            "Return a dict with the keys 'W1', 'b1', 'W2' and 'b2'."
        return Mismatch(describe(value), want, why=why)
    got = {}
    for k, v in value.value:
        if k.kind == "str":
            got[k.value] = v
    missing = [p for p in PARAMETERS if p not in got]
    if missing:
        return Mismatch(describe(value), want,
                        why=f"The dict has no key {', '.join(repr(m) for m in missing)}.")
    rows = []
    for key in PARAMETERS:
        shape = _shape(expected[key])
        if len(shape) == 1:
            g = as_vector(got[key])
            if g is None or len(g) != shape[0]:
                return Mismatch(f"{key}: {describe(got[key])}",
                                f"{key}: {shape[0]} numbers (the shape of {key})")
            for i, (a, b) in enumerate(zip(g, expected[key])):
                rows.append((f"{key}[{i}]", a, b))
        else:
            g = _matrix(got[key])
            gshape = (len(g), len(g[0])) if g else None
            if gshape != shape:
                shown = describe(got[key])
                if gshape and "shape" not in shown:
                    shown += f" of shape {gshape}"
                return Mismatch(f"{key}: {shown}",
                                f"{key}: an array of shape {shape} (the shape of {key})",
                                why=f"∂L/∂{key} has the shape of {key}.")
            for i in range(shape[0]):
                for j in range(shape[1]):
                    rows.append((f"{key}[{i}][{j}]", g[i][j], expected[key][i][j]))
    tol = case.tolerance or TLG_TOLERANCE
    bad = [(n, a, b) for n, a, b in rows if not tol.close(a, b)]
    if not bad:
        return None
    shown = [(n, *fmt_pair(a, b)) for n, a, b in bad[:6]]
    col = max([16] + [max(len(a), len(b)) for _, a, b in shown])
    width = max(len(n) for n, _, _ in shown)
    lines = [f"{'entry':>{width}} | {'obtained':>{col}} | {'expected':>{col}}"]
    lines += [f"{n:>{width}} | {a:>{col}} | {b:>{col}}" for n, a, b in shown]
    if len(bad) > 6:
        lines.append(f"... and {len(bad) - 6} more")
    lines.append(f"{len(bad)} of {len(rows)} differ (tolerance: {tol.rel:g} relative, "
                 f"{tol.abs:g} absolute)")
    wrong = sorted({n.split("[")[0] for n, _, _ in bad}, key=PARAMETERS.index)
    return Mismatch(f"wrong entries in {', '.join(wrong)}", "the grader's derivatives below",
                    table="\n".join(lines))


# σ′ where the chain rule does not take it: (what a student computes, in words).
SIGMA_PRIME_ELSEWHERE = (
    (lambda a, h: sigma(h) * (1 - sigma(h)), "σ′ taken at the activation h: σ(h)(1 − σ(h))"),
    (lambda a, h: sigma(a) * (1 - a), "σ(a)(1 − a), the activation and the pre-activation mixed"),
)


def _tlg_model(**options):
    return lambda case: gradients(*case.context["args"], **options)


TLG_MISCONCEPTIONS = (
    Misconception(
        "backprop-no-sigma-prime", "the factor σ′ = h(1 − h) of the hidden layer left out",
        "Between ∂L/∂h and ∂L/∂a (a = W1·x + b1) the chain rule multiplies by "
        "σ′(a) = h ⊙ (1 − h), element by element.",
        model=_tlg_model(sigma_prime=False)),
    Misconception(
        "backprop-transposed-weight-gradient",
        "the weight gradients transposed (x·δᵀ for δ·xᵀ)",
        "∂L/∂W has the shape of W: rows for the layer's outputs, columns for its inputs: "
        "∂L/∂W1 = np.outer(δ, x), with δ = ∂L/∂a, and ∂L/∂W2 = np.outer(∂L/∂z, h).",
        model=_tlg_model(transpose=True)),
    Misconception(
        "backprop-sigma-prime-of-preactivation",
        "σ′ written as a(1 − a) of the pre-activation",
        "σ′(a) = σ(a)(1 − σ(a)) = h(1 − h): it takes the activation h, not a = W1·x + b1.",
        model=_tlg_model(prime_of_a=True)),
    Misconception(
        "backprop-logits-minus-y", "∂L/∂z taken as z − y, without the softmax",
        "The output error is softmax(z) − y: the probabilities minus the targets, "
        "not the raw logits.",
        model=_tlg_model(dz_fn=lambda z, p, y: [zk - yk for zk, yk in zip(z, y)])),
    Misconception(
        "backprop-sigma-prime-elsewhere", "σ′ evaluated at the activation h instead of at a",
        "σ′ belongs to the pre-activation a = W1·x + b1: σ′(a) = σ(a)(1 − σ(a)) = h(1 − h). "
        "Passing h to a function that computes σ′ applies the sigmoid twice; h ⊙ (1 − h) "
        "needs no second call.",
        family=Parametric(lambda case, prime: _tlg_model(prime=prime[0])(case),
                          SIGMA_PRIME_ELSEWHERE, lambda prime: prime[1],
                          examples=tuple(_tlg_model(prime=p) for p, _ in SIGMA_PRIME_ELSEWHERE))),
)


# What the exercise's notebook teaches (the classroom); its hints are also
# what hint("<function>") says.
LESSON = Lesson(
    intro="""\
# 8. Softmax, cross-entropy and backpropagation

To classify, a network ends in one score per class, the *logits* $z$.
**Softmax** turns them into probabilities that are positive and sum to 1,

$$\\hat y_i = \\frac{e^{z_i}}{\\sum_j e^{z_j}},$$

and **cross-entropy** measures how far this prediction is from the true
distribution $y$: $L = -\\sum_i y_i \\log \\hat y_i$. For a one-hot $y$ it is
$-\\log$ of the probability the network gave the right class.

**Backpropagation** finds the gradient of $L$ with respect to every weight
by the chain rule, one layer at a time, from the loss back to the input.
The single sigmoid neuron of assignment 1 is its smallest case; here it
runs through a two-layer network.""",
    before={
        "softmax": """\
## Softmax without overflow

$e^{1000}$ overflows a float. But adding the same number to every logit
changes no probability (it multiplies the numerator and the denominator by
the same factor), so shift the logits by $-\\max(z)$ first: the largest
exponential is then $e^0 = 1$. `softmax([1000, 1000])` must give
$[0.5, 0.5]$.""",
        "cross_entropy": """\
## Cross-entropy

$-\\sum_i y_i \\log p_i$. A class with $y_i = 0$ adds nothing, even where
$p_i = 0$ (take $0 \\cdot \\log 0$ as 0). For $z = [2, 1, 0.1]$ and the
first class as the answer, $p \\approx [0.659, 0.242, 0.099]$ and the loss is
about $0.417$.""",
        "softmax_cross_entropy_grad": """\
## The gradient at the logits

Through softmax and cross-entropy together the chain rule collapses to a
strikingly simple result (for a $y$ that sums to 1):

$$\\frac{\\partial L}{\\partial z} = \\operatorname{softmax}(z) - y.$$

Predicted minus true: each logit is pushed by how much too high its
probability is.""",
        "two_layer_gradients": """\
## Backpropagation through two layers

The network: $a = W_1 x + b_1$, $h = \\sigma(a)$, $z = W_2 h + b_2$,
$L = \\text{cross-entropy}(\\operatorname{softmax}(z), y)$. Going backwards:

$$\\frac{\\partial L}{\\partial z} = \\hat y - y, \\quad
\\frac{\\partial L}{\\partial W_2} = \\frac{\\partial L}{\\partial z}\\, h^\\top, \\quad
\\frac{\\partial L}{\\partial b_2} = \\frac{\\partial L}{\\partial z}, \\quad
\\frac{\\partial L}{\\partial h} = W_2^\\top \\frac{\\partial L}{\\partial z},$$

$$\\frac{\\partial L}{\\partial a} = \\frac{\\partial L}{\\partial h} \\odot h \\odot (1 - h), \\quad
\\frac{\\partial L}{\\partial W_1} = \\frac{\\partial L}{\\partial a}\\, x^\\top, \\quad
\\frac{\\partial L}{\\partial b_1} = \\frac{\\partial L}{\\partial a}.$$

($\\odot$ is the element-wise product, and $\\sigma' = \\sigma(1 - \\sigma)$.)
Return a dict with the keys `"W1"`, `"b1"`, `"W2"`, `"b2"`, each gradient of
its parameter's shape. To test your own code, compare it with central
differences of the loss: a relative error around $10^{-7}$ means right,
above $10^{-2}$ means a bug.""",
    },
    hints={  # a nudge first, then more; never the answer (tests/test_course.py)
        "softmax": (
            "Softmax turns scores into probabilities: each one positive, all of them "
            "adding up to 1.",
            "Exponentiate every logit and divide each by the sum of all the exponentials.",
            "e to the 1000 overflows. Shifting all logits by the same amount leaves the "
            "result unchanged: shift them by the largest one first.",
        ),
        "cross_entropy": (
            "Cross-entropy measures how little probability the prediction gives to what "
            "is true.",
            "Sum over the classes the true probability times the log of the predicted "
            "one, and negate the total.",
            "A class whose true probability is 0 adds nothing, even where the predicted "
            "one is 0 and its log is minus infinity: leave those classes out.",
        ),
        "softmax_cross_entropy_grad": (
            "Softmax followed by cross-entropy has a famously simple gradient with "
            "respect to the logits: no derivative by hand is needed.",
            "It is the predicted probabilities minus the true ones: the softmax of the "
            "logits, less y, class by class.",
        ),
        "two_layer_gradients": (
            "Backpropagation is the chain rule applied layer by layer, from the loss back "
            "to the first layer; keep what the forward pass computes.",
            "Forward: the hidden activations h, a sigmoid of the first layer's affine "
            "map, then the logits. Backward: the gradient at the logits is the softmax "
            "minus y; the second layer's weight gradient is its outer product with h, and "
            "its bias gradient is that gradient itself.",
            "Into the hidden layer: multiply by the transpose of the second layer's "
            "weights, then element by element by σ′ = h(1 − h); from that vector the "
            "first layer's gradients follow as the second layer's did, with x in place of "
            "h. Compare with central differences of the loss to be sure.",
        ),
    },
)


EXERCISE = Exercise(
    module="backprop",
    title="Softmax, cross-entropy and backpropagation",
    checks=(
        Check("softmax is stable at large logits", "softmax", 6, softmax_cases, judge_cases,
              compare=vector(SOFTMAX_TOLERANCE, what="probabilities"),
              misconceptions=SOFTMAX_MISCONCEPTIONS),
        Check("cross_entropy is -sum y log p", "cross_entropy", 6, ce_cases, judge_cases,
              compare=number(CE_TOLERANCE), misconceptions=CE_MISCONCEPTIONS),
        Check("softmax_cross_entropy_grad is softmax(z) - y", "softmax_cross_entropy_grad", 6,
              sceg_cases, judge_cases, compare=vector(SOFTMAX_TOLERANCE),
              misconceptions=SCEG_MISCONCEPTIONS, depends_on=("softmax",)),
        Check("two_layer_gradients backpropagates through both layers", "two_layer_gradients",
              12, tlg_cases, judge_cases, compare=tlg_compare,
              misconceptions=TLG_MISCONCEPTIONS, depends_on=("softmax",)),
    ),
    lesson=LESSON,
)
