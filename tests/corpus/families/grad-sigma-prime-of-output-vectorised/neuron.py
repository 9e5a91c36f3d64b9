"""Exercise 4: a sigmoid neuron fitted to two points.

A single neuron with a weight w and a bias b computes

    f(x) = σ(w·x + b),   σ(z) = 1 / (1 + e^(−z)).

The goal is a curve through the two points (0.5, 0.2) and (2.5, 0.9).
Nudging w and b by hand and watching the result is slow and unreliable;
gradient descent does it systematically.

How far the curve is from the points is measured by the squared-error loss

    L(w, b) = ½ Σᵢ (f(xᵢ) − yᵢ)².

Over the (w, b) plane this loss is a landscape with steep walls and flat
plateaus, and training walks downhill on it. The slopes come from the chain
rule: with zᵢ = w·xᵢ + b,

    ∂L/∂w = Σᵢ (f(xᵢ) − yᵢ) · σ'(zᵢ) · ∂zᵢ/∂w,

and the same for b with ∂zᵢ/∂b. The sigmoid has the handy derivative
σ'(z) = σ(z)(1 − σ(z)).

Full-batch training computes both slopes over all the points at the
current (w, b), then moves w and b together against them, epoch after
epoch. Starting from (w, b) = (−2, −2) with η = 1, 1000 epochs on the two
points reach w ≈ 1.79172, b ≈ −2.28212, a loss of about 2.4e−11.

Write these functions (``X`` and ``Y`` are given):

- ``sigmoid(z)``: the sigmoid, for numbers and NumPy arrays.
- ``predict(w, b, x)``: the neuron's output at ``x``.
- ``loss(w, b, xs, ys)``: the squared-error loss over a data set.
- ``gradients(w, b, xs, ys)``: the pair (∂L/∂w, ∂L/∂b).
- ``train(w, b, xs, ys, learning_rate, epochs)``: gradient descent on w, b.
"""

import numpy as np

# The two data points (x, y): (0.5, 0.2) and (2.5, 0.9). Given, not graded.
X = [0.5, 2.5]
Y = [0.2, 0.9]


def sigmoid(z):
    """Return σ(z) = 1 / (1 + e^(−z)).

    Use ``np.exp`` so that ``z`` may be a number or a NumPy array (the
    result is then an array of the same shape). ``sigmoid(0)`` is 0.5.
    """
    return 1.0 / (1.0 + np.exp(-z))


def predict(w, b, x):
    """Return the neuron's output σ(w·x + b) at the input ``x``."""
    return sigmoid(w * x + b)


def loss(w, b, xs, ys):
    """Return the squared-error loss L(w, b) = ½ Σᵢ (predict(w, b, xᵢ) − yᵢ)².

    ``xs`` and ``ys`` are sequences of the same length, any length. Note
    the factor ½ and the sum (not the mean) over the points.
    """
    return float(0.5 * sum((predict(w, b, x) - y) ** 2 for x, y in zip(xs, ys)))


def gradients(w, b, xs, ys):
    """Return the tuple (∂L/∂w, ∂L/∂b) of the loss at (w, b).

    For each point, the chain rule multiplies three factors: how the loss
    changes with the prediction, how σ changes with its input
    (σ' = σ(1 − σ)), and how the input w·x + b changes with w (or with b).
    Sum the contributions of all the points.
    """
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    a = sigmoid(w * xs + b)
    ds = sigmoid(a) * (1 - sigmoid(a))   # sigma'
    err = (a - ys) * ds
    return float(np.sum(err * xs)), float(np.sum(err))


def train(w, b, xs, ys, learning_rate, epochs):
    """Run ``epochs`` steps of full-batch gradient descent; return ``(w, b)``.

    In each epoch compute both gradients at the current (w, b), then update
    w and b together: neither update may see the other's new value.

    Example: ``train(-2, -2, X, Y, 1.0, 1000)`` returns about
    ``(1.79172, -2.28212)``, where the loss is about 2.4e-11.
    """
    for _ in range(epochs):
        dw, db = gradients(w, b, xs, ys)
        w, b = w - learning_rate * dw, b - learning_rate * db
    return float(w), float(b)
