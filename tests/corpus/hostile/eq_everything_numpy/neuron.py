"""Hostile: NumPy and container subclasses that compare equal to
everything.  sigmoid returns an ndarray subclass (or a float64 subclass)
with __eq__ always True and the right values; loss an object equal to
everything that converts to the right float; gradients a tuple subclass
equal to everything; train a tuple of float subclasses equal to
everything (wrong values)."""

import numpy as np

X = [0.5, 2.5]
Y = [0.2, 0.9]


class EqArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool) if self.shape else np.True_

    def __ne__(self, other):
        return np.zeros(self.shape, dtype=bool) if self.shape else np.False_


class EqFloat64(np.float64):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = np.float64.__hash__


class EqTuple(tuple):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = tuple.__hash__


class EqFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = float.__hash__


class Anything:
    def __init__(self, value):
        self._value = value

    def __eq__(self, other):
        return True

    def __float__(self):
        return float(self._value)

    __hash__ = object.__hash__


def _sigma(z):
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def sigmoid(z):
    value = _sigma(z)
    if np.ndim(value):
        return value.view(EqArray)
    return EqFloat64(value)


def predict(w, b, x):
    return sigmoid(w * x + b)


def loss(w, b, xs, ys):
    return Anything(0.5 * sum((float(_sigma(w * x + b)) - y) ** 2 for x, y in zip(xs, ys)))


def gradients(w, b, xs, ys):
    dw = db = 0.0
    for x, y in zip(xs, ys):
        fx = float(_sigma(w * x + b))
        delta = (fx - y) * fx * (1 - fx)
        dw += delta * x
        db += delta
    return EqTuple((dw, db))


def train(w, b, xs, ys, learning_rate, epochs):
    return EqFloat(0.0), EqFloat(0.0)
