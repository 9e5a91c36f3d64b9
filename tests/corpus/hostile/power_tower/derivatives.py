"""Hostile: df returns x plus an unevaluated tower of integer powers,
(((10**29)**200)**200)**200, each number and exponent within the tree's
bounds.  The worker never evaluates it (evaluate=False); rebuilding it into
sympy on the grader's side would compute an integer of 232 million digits.
Nothing forged: the worker encodes it with its own whitelist."""

import sympy


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    tower = sympy.Integer(10**29)
    for _ in range(3):
        tower = sympy.Pow(tower, 200, evaluate=False)
    return x + tower


def slope_at_2():
    return 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
