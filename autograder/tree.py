"""Test functions written as expression trees, without importing sympy.

The grader hands student code functions it has not seen (for
``numerical_derivative`` and ``gradient_descent``).  They travel as trees,
the same format the worker uses to send a sympy expression back, and each
side compiles them with :func:`autograder.child.compile_tree`.
"""

from __future__ import annotations

import math

from .child import compile_tree
from .wire import Func

X = ["Symbol", "x"]


def num(value: float) -> list:
    if float(value).is_integer() and abs(value) < 1e15:
        return ["Integer", str(int(value))]
    return ["Float", repr(float(value))]


def add(*terms) -> list:
    return ["Add", *[_t(t) for t in terms]]


def mul(*factors) -> list:
    return ["Mul", *[_t(f) for f in factors]]


def power(base, exponent) -> list:
    return ["Pow", _t(base), _t(exponent)]


def call(name: str, arg) -> list:
    return [name, _t(arg)]


def component(i: int) -> list:
    """x[i], the i-th parameter of a function of a vector."""
    return ["Index", str(int(i))]


def vector(*components) -> list:
    """A function of a vector x returning the array of ``components`` (each a
    tree in the x[i]): the gradient handed to an optimiser of 1-D parameters."""
    return ["Vector", *[_t(c) for c in components]]


def _t(v):
    return num(v) if isinstance(v, (int, float)) else v


def func(tree: list, label: str) -> Func:
    return Func(tree=tree, label=label)


class FloatMath:
    """numpy's names over the math module, so that the grader evaluates test
    functions and expression trees without importing numpy; as with numpy,
    a domain error gives nan and an overflow gives inf."""

    float64 = float
    pi, e = math.pi, math.e

    @staticmethod
    def array(values, dtype=None):
        return [float(v) for v in values]

    @staticmethod
    def _wrap(fn, overflow=lambda x: math.inf):
        def safe(x):
            try:
                return fn(x)
            except ValueError:
                return math.nan
            except OverflowError:
                return overflow(x)
        return staticmethod(safe)

    @staticmethod
    def log(x):
        """As numpy's: log(0) is −inf, a negative number gives nan."""
        if x == 0:
            return -math.inf
        try:
            return math.log(x)
        except (ValueError, OverflowError):
            return math.nan

    exp, sin, cos, tan = _wrap(math.exp), _wrap(math.sin), _wrap(math.cos), _wrap(math.tan)
    # sinh overflows to ±inf with the sign of x, as numpy's does.
    sinh = _wrap(math.sinh, lambda x: math.copysign(math.inf, x))
    cosh, tanh, sqrt = _wrap(math.cosh), _wrap(math.tanh), _wrap(math.sqrt)
    arcsin, arccos, arctan, abs = _wrap(math.asin), _wrap(math.acos), _wrap(math.atan), _wrap(abs)

    @staticmethod
    def power(base, exponent):
        """base ** exponent as numpy computes it in float64: an overflow is
        inf with the sign the true result has (a negative base to an odd
        integer power is negative), 0 to a negative power is inf."""
        try:
            value = base ** exponent
            return math.nan if isinstance(value, complex) else float(value)
        except (ZeroDivisionError, OverflowError):
            odd = float(exponent).is_integer() and int(exponent) % 2 == 1
            return -math.inf if math.copysign(1.0, base) < 0 and odd else math.inf


def evaluator(f: Func):
    """The grader's own float evaluation of a test function."""
    compiled = compile_tree(f.tree, FloatMath)
    return lambda x: float(compiled(float(x)))


def vector_evaluator(f: Func):
    """The grader's own float evaluation of a test function of a vector:
    a list of floats at a sequence of floats."""
    compiled = compile_tree(f.tree, FloatMath)
    return lambda x: compiled([float(v) for v in x])
