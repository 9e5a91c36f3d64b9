"""Hostile (or merely wrong): df returns x raised to an unevaluated
(-1)**(1/2), which the grader's rebuilt tree turns into x**I.  Nothing
forged: the worker encodes it with its own whitelist."""

import sympy


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1 + x ** sympy.Pow(-1, sympy.Rational(1, 2), evaluate=False)


def slope_at_2():
    return 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
