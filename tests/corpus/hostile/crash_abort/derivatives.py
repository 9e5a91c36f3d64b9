"""Hostile: numerical_derivative aborts the interpreter (os.abort)."""

import os


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1


def slope_at_2():
    return 29.0


def numerical_derivative(func, x, h=1e-5):
    os.abort()
