"""Expression trees: the one format for formulas that cross the wall.

A tree is nested lists, ``["Add", ["Symbol", "x"], ["Integer", "1"]]``.
The worker sends a student's sympy expression back as one; the grader
hands student code test functions it has not seen (for
``numerical_derivative`` and ``gradient_descent``) as one, and each side
compiles them with :func:`autograder.sandbox.worker.compile_tree`.  Here: building
trees, checking a worker's tree node by whitelisted node (:func:`check_tree`),
rebuilding it in sympy (:func:`rebuild_tree`) and evaluating it in floats
(:func:`tree_values`), all bounded whatever the tree.
"""

from __future__ import annotations

import math
from typing import Any

from autograder.sandbox.worker import TREE_FUNCTIONS, compile_tree
from autograder.sandbox.protocol import Func

MAX_TREE_NODES = 5000
MAX_TREE_DEPTH = 100
MAX_INT_DIGITS = 30
MAX_EXPONENT = 200

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


# ------------------------------------------- a worker's tree, read back


class TreeError(ValueError):
    pass


MAX_DEGREE = 40


def rebuild_tree(tree: Any, allowed_symbols: tuple[str, ...] = ("x",),
                 max_degree: float | None = MAX_DEGREE):
    """Rebuild a sympy expression from a worker's tree, node by whitelisted node.

    The tree is first checked by :func:`check_tree` (numbers bounded, size
    and depth capped), so that no tree can make sympy run for long; powers
    whose exponent is too large are refused here.  Raises TreeError.
    """
    import sympy
    check_tree(tree, allowed_symbols)
    functions = {name: getattr(sympy, name) for name in TREE_FUNCTIONS}

    def build(node):
        head, args = node[0], node[1:]
        if head == "Symbol":
            return sympy.Symbol(args[0])
        if head == "Integer":
            return sympy.Integer(int(args[0]))
        if head == "Rational":
            return sympy.Rational(int(args[0]), int(args[1]))
        if head == "Float":
            return sympy.Float(float(args[0]))
        if head == "pi":
            return sympy.pi
        if head == "E":
            return sympy.E
        if head in ("Add", "Mul"):
            parts = [build(a) for a in args]
            return sympy.Add(*parts) if head == "Add" else sympy.Mul(*parts)
        if head == "Pow":
            base, exponent = build(args[0]), build(args[1])
            if exponent.is_number:
                try:
                    size = abs(float(exponent))
                except (TypeError, ValueError, OverflowError):
                    raise TreeError("an exponent is not a real number") from None
                if size > MAX_EXPONENT:
                    raise TreeError("an exponent is too large to compare")
            return sympy.Pow(base, exponent)
        return functions[head](build(args[0]))

    expr = build(tree)
    if max_degree is not None and degree_bound(tree) > max_degree:
        raise TooComplex("the expression is too large to compare symbolically")
    return expr


class TooComplex(TreeError):
    """Valid, but too large for the grader to expand symbolically."""


def degree_bound(tree: Any) -> float:
    """An upper bound of the polynomial degree the tree expands to (a
    nested power such as ((x+1)**8+1)**8 expands to degree 64)."""
    head, args = tree[0], tree[1:]
    if head == "Symbol":
        return 1
    if head in ("Integer", "Rational", "Float", "pi", "E"):
        return 0
    if head == "Add":
        return max(degree_bound(a) for a in args)
    if head == "Mul":
        return sum(degree_bound(a) for a in args)
    if head == "Pow":
        exponent = args[1]
        if exponent[0] == "Integer":
            return degree_bound(args[0]) * abs(int(exponent[1]))
        if exponent[0] == "Rational":
            return degree_bound(args[0]) * math.ceil(abs(int(exponent[1]) / int(exponent[2])))
        if exponent[0] == "Float":
            return degree_bound(args[0]) * math.ceil(abs(float(exponent[1])))
        return max(degree_bound(args[0]), degree_bound(exponent))  # not expanded
    return degree_bound(args[0]) if args else 0   # expand works inside a function


def _int_text(args: list) -> int:
    if len(args) != 1 or type(args[0]) is not str:
        raise TreeError("malformed integer")
    text = args[0]
    digits = text[1:] if text.startswith("-") else text
    if not digits.isdigit() or len(digits) > MAX_INT_DIGITS or not digits.isascii():
        raise TreeError("an integer in the expression is too large or malformed")
    return int(text)


def check_tree(tree: Any, allowed_symbols: tuple[str, ...] = ("x",)) -> None:
    """Validate a worker's tree as :func:`rebuild_tree` does (shape, node
    types, symbols, size, depth, number sizes) without building it in
    sympy, whose arithmetic on the numbers in it is not bounded (an
    unevaluated tower of integer powers).  Raises TreeError."""
    count = 0
    stack = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_TREE_NODES or depth > MAX_TREE_DEPTH:
            raise TreeError("the expression is too large to compare")
        if type(node) is not list or not node or type(node[0]) is not str:
            raise TreeError("malformed expression")
        head, args = node[0], node[1:]
        if head == "Symbol":
            if len(args) != 1 or args[0] not in allowed_symbols:
                raise TreeError(f"the expression uses a symbol other than {', '.join(allowed_symbols)}")
        elif head == "Integer":
            _int_text(args)
        elif head == "Rational":
            if len(args) != 2:
                raise TreeError("malformed rational")
            _int_text(args[:1])
            if _int_text(args[1:]) == 0:
                raise TreeError("zero denominator")
        elif head == "Float":
            if len(args) != 1 or type(args[0]) is not str or len(args[0]) > 40:
                raise TreeError("malformed float")
            try:
                float(args[0])
            except ValueError:
                raise TreeError("malformed float") from None
        elif head in ("pi", "E"):
            pass
        elif head in ("Add", "Mul"):
            if not args:
                raise TreeError("empty sum or product")
            stack.extend((a, depth + 1) for a in args)
        elif head == "Pow":
            if len(args) != 2:
                raise TreeError("malformed power")
            stack.extend((a, depth + 1) for a in args)
        elif head in TREE_FUNCTIONS:
            if len(args) != 1:
                raise TreeError(f"malformed {head}")
            stack.append((args[0], depth + 1))
        elif head == "?":
            raise TreeError(f"the expression holds a {str(args[0])[:40] if args else 'node'} "
                            "the grader cannot read")
        else:
            raise TreeError(f"unknown expression node {head[:40]!r}")


def tree_values(tree: Any, points) -> list[float]:
    """The tree's values at ``points``, in floats (checked, then compiled
    once).  Bounded whatever the tree: at most MAX_TREE_NODES float
    operations a point, and a float power overflows to inf instead of
    growing (no sympy here)."""
    check_tree(tree)
    fn = compile_tree(tree, FloatMath)
    return [float(fn(float(x))) for x in points]
