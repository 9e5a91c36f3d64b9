"""Hostile (or merely wrong): df returns a small tree, ((x + 1)**8 + 1)**8,
whose expansion costs the grader seconds in its own process (exponents
up to 200 are accepted: ((x + 1)**200 + 1)**200 would never finish).
Nothing forged: the worker encodes it with its own whitelist."""


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return ((x + 1) ** 8 + 1) ** 8


def slope_at_2():
    return 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
