"""Hostile: df returns a small tree, a sum of nine functions of x raised to
the 40th power.  It passes the tree's size and degree checks (a function
of x counts as degree 1), but expanding it has millions of terms: before
the grader's own work was budgeted, ``sympy.expand`` in the grader's
process ran for ever and grew past a gigabyte.  Nothing forged: the worker
encodes it with its own whitelist, in microseconds."""

import sympy


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    total = x
    for fn in (sympy.sin, sympy.cos, sympy.exp, sympy.tan, sympy.sinh, sympy.cosh,
               sympy.tanh, sympy.atan):
        total = total + fn(x)
    return total ** 40


def slope_at_2():
    return 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
