"""Exercise 1: the derivative is a slope.

The derivative f'(x) tells you how strongly the output of f reacts to a
small change of its input x. Geometrically it is the slope of the curve at
x: large where the curve is steep, zero at the bottom of a bowl.

You can see it by shrinking a secant. For f(x) = x², moving from x = 2 to
x = 2.5 raises f from 4 to 6.25: a rise of 2.25 over a run of 0.5, a slope
of 4.5. Make the run smaller and smaller and the slope settles on the
tangent slope f'(2) = 4.

A computer can do the same with a small step h. Looking a step to the left
and a step to the right of x, the central difference

    (f(x + h) - f(x - h)) / (2h)

estimates f'(x) with an error that shrinks like h², much faster than the
one-sided (f(x + h) - f(x)) / h.

Write these functions (``f`` is given):

- ``df(x)``: the derivative of ``f``, worked out by hand.
- ``slope_at_2()``: the slope of ``f`` at x = 2.
- ``numerical_derivative(func, x, h=1e-5)``: the central-difference
  estimate of ``func'(x)``.
"""


def f(x):
    """The practice function f(x) = 3x³ − 2x² + x (given, not graded)."""
    return 3 * x**3 - 2 * x**2 + x


import math


def df(x):
    """Return f'(x), the derivative of ``f`` at ``x``.

    Differentiate ``f`` term by term with the power rule and return the
    result. Use plain arithmetic (``*``, ``+``, ``-``, ``**``), not the
    ``math`` module: the grader calls ``df`` with a sympy symbol and checks
    the expression you return against the true derivative.

    Check: ``df(2)`` is 29.
    """
    return 9 * math.pow(x, 2) - 4 * x + 2


def slope_at_2():
    """Return the slope of ``f`` at x = 2, as a number.

    The slope of a curve at a point is its derivative there.
    """
    return float(df(2))


def numerical_derivative(func, x, h=1e-5):
    """Estimate ``func'(x)`` with the central difference of step ``h``.

    Evaluate ``func`` one step ``h`` to the right and one step to the left
    of ``x``, and divide the difference by the distance between the two
    points, ``2*h``.

    Example: for ``func = lambda x: x**2`` and ``x = 2`` the result is very
    close to 4.
    """
    return (func(x + h) - func(x - h)) / (2 * h)
