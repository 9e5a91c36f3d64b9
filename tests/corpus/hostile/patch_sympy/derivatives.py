"""Hostile: monkeypatches sympy at import so that any comparison in this
process says "equal" (Expr.equals, Basic.__eq__, simplify, expand), and df
is wrong (the linear term's derivative is dropped).  slope_at_2 and
numerical_derivative are correct."""

import sympy

sympy.Expr.equals = lambda self, other, *a, **k: True
sympy.Basic.__eq__ = lambda self, other: True
sympy.Basic.__ne__ = lambda self, other: False
sympy.simplify = lambda expr, *a, **k: sympy.Integer(0)
sympy.expand = lambda expr, *a, **k: sympy.Integer(0)
sympy.Expr.expand = lambda self, *a, **k: sympy.Integer(0)
sympy.diff = lambda expr, *a, **k: expr


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x


def slope_at_2():
    return 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
