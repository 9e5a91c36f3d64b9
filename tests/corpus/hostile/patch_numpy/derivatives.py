"""Hostile: monkeypatches NumPy at import so that a grader comparing with
np.allclose / np.isclose / np.testing in this process would accept
anything, and replaces np.exp, np.sin and friends.  numerical_derivative
is wrong (a one-sided difference); df and slope_at_2 are correct.  The
patches must neither rescue numerical_derivative nor reach the exercises
graded after this one (which use NumPy)."""

import numpy as np

np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: np.True_
np.array_equal = lambda *a, **k: True
try:                      # numpy.testing imports unittest, which may be out of reach
    np.testing.assert_allclose = lambda *a, **k: None
    np.testing.assert_array_almost_equal = lambda *a, **k: None
except ImportError:
    pass
np.exp = lambda z: 0 * np.asarray(z) + 1.0
np.sin = np.cos = np.tanh = np.log = np.exp


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1


def slope_at_2():
    return 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x)) / h
