"""Test functions written as expression trees, without importing sympy.

The grader hands student code functions it has not seen (for
``numerical_derivative`` and ``gradient_descent``).  They travel as trees,
the same format the worker uses to send a sympy expression back, and each
side compiles them with :func:`autograder.child.compile_tree`.
"""

from __future__ import annotations

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


def _t(v):
    return num(v) if isinstance(v, (int, float)) else v


def func(tree: list, label: str) -> Func:
    return Func(tree=tree, label=label)


def evaluator(f: Func):
    """The grader's own float evaluation of a test function."""
    import numpy as np
    compiled = compile_tree(f.tree, np)

    def at(x: float) -> float:
        with np.errstate(all="ignore"):
            return float(compiled(np.float64(x)))
    return at
