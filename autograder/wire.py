"""What crosses the wall, in both directions, and how the grader reads it.

Grader -> worker: probe arguments as plain JSON (:func:`encode_arg`).
Worker -> grader: one JSON line per probe, read here as *untrusted* data.
Only dicts, lists, strings and numbers come out of ``json.loads``; they are
turned into :class:`Returned` values by exact shape checks, and expression
trees are rebuilt into sympy from a whitelist of node types.  No student
object, method or string is ever evaluated on this side.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

MAX_TREE_NODES = 5000
MAX_TREE_DEPTH = 100
MAX_INT_DIGITS = 30
MAX_EXPONENT = 200


# ---------------------------------------------------------------- arguments

@dataclass(frozen=True)
class Array:
    """A probe argument sent as a NumPy array of floats: 1-D, or 2-D when
    ``values`` holds its rows (tuples of floats)."""
    values: tuple[float, ...]


@dataclass(frozen=True)
class Tuple:
    """A probe argument sent as a tuple."""
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Func:
    """A test function of x handed to student code, as an expression tree
    (see :mod:`autograder.tree`), with the name a student reads."""
    tree: Any
    label: str


@dataclass(frozen=True)
class Symbol:
    name: str = "x"


def encode_arg(arg: Any) -> Any:
    if isinstance(arg, Array):
        return {"$array": [list(v) if isinstance(v, tuple) else v for v in arg.values]}
    if isinstance(arg, Tuple):
        return {"$tuple": [encode_arg(a) for a in arg.values]}
    if isinstance(arg, Func):
        return {"$func": arg.tree}
    if isinstance(arg, Symbol):
        return {"$symbol": arg.name}
    if isinstance(arg, (list, tuple)):
        return [encode_arg(a) for a in arg]
    if isinstance(arg, (int, float)) and not isinstance(arg, bool):
        return arg
    raise TypeError(f"cannot send {type(arg).__name__} to the worker")


def show_arg(arg: Any) -> str:
    """How an argument is shown to the student in feedback."""
    from .tolerance import fmt
    if isinstance(arg, Array):
        if arg.values and isinstance(arg.values[0], (list, tuple)):   # rows of a 2-D array
            return "np.array(" + show_arg([list(row) for row in arg.values]) + ")"
        return "np.array([" + ", ".join(fmt(v) for v in arg.values) + "])"
    if isinstance(arg, Tuple):
        inner = ", ".join(show_arg(v) for v in arg.values)
        return f"({inner},)" if len(arg.values) == 1 else f"({inner})"
    if isinstance(arg, Func):
        return arg.label
    if isinstance(arg, Symbol):
        return f"sympy.Symbol({arg.name!r})"
    if isinstance(arg, (list, tuple)):
        return "[" + ", ".join(show_arg(a) for a in arg) + "]"
    if isinstance(arg, float):
        return fmt(arg)
    return repr(arg)


# ------------------------------------------------------------ return values

@dataclass(frozen=True)
class Returned:
    """A decoded value returned by student code.

    kind: number, bool, none, list, tuple, array, dict, str, tree, other.
    ``numpy`` is True for NumPy scalars; ``sympy`` for sympy numbers.
    """
    kind: str
    value: Any = None
    numpy: bool = False
    sympy: bool = False
    shape: tuple[int, ...] = ()
    dtype: str = ""          # the NumPy type, e.g. float64, float32


class Malformed(ValueError):
    """The worker's line does not have the shape the grader expects."""


def decode_value(data: Any, depth: int = 0) -> Returned:
    if depth > 60:
        raise Malformed("value nested too deeply")
    if data is None:
        return Returned("none")
    if type(data) in (int, float):
        return Returned("number", _number(data))
    if type(data) is not dict or len(data) == 0:
        raise Malformed(f"unexpected value {type(data).__name__}")
    if "$bool" in data:
        return Returned("bool", bool(data["$bool"]))
    if "$np" in data:
        return Returned("number", _number(data.get("v")), numpy=True,
                        dtype=clean_text(data["$np"], 20))
    if "$sympy_number" in data:
        return Returned("number", _number(data["$sympy_number"]), sympy=True)
    if "$array" in data:
        values = _numbers_nested(data["$array"], depth)
        return Returned("array", values, numpy=True, shape=_shape_of(values),
                        dtype=clean_text(data.get("dtype", ""), 20))
    for kind in ("list", "tuple"):
        if "$" + kind in data:
            return Returned(kind, [decode_value(v, depth + 1) for v in _list(data["$" + kind])])
    if "$dict" in data:
        pairs = []
        for pair in _list(data["$dict"]):
            pair = _list(pair)
            if len(pair) != 2:
                raise Malformed("dict entry is not a pair")
            pairs.append((decode_value(pair[0], depth + 1), decode_value(pair[1], depth + 1)))
        return Returned("dict", pairs)
    if "$str" in data:
        return Returned("str", clean_text(data["$str"], 200))
    if "$tree" in data:
        return Returned("tree", data["$tree"])
    if "$other" in data:
        return Returned("other", clean_text(data["$other"], 120))
    raise Malformed("unknown value tag")


def _number(v: Any) -> float:
    if type(v) not in (int, float):
        raise Malformed("number expected")
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def clean_text(v: Any, limit: int) -> str:
    """A string from the worker, made printable whatever it holds (lone
    surrogates, control characters)."""
    text = str(v)[:limit] if type(v) is str else ""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(c if c.isprintable() or c in "\n\t" else f"\\x{ord(c):02x}" for c in text)


def _list(v: Any) -> list:
    if type(v) is not list:
        raise Malformed("list expected")
    return v


def _numbers_nested(v: Any, depth: int) -> Any:
    if depth > 60:
        raise Malformed("array nested too deeply")
    if type(v) is list:
        return [_numbers_nested(x, depth + 1) for x in v]
    return _number(v)


def _shape_of(values: Any) -> tuple[int, ...]:
    """The shape of nested lists of numbers, which must be rectangular (the
    worker's claimed shape is not trusted)."""
    if type(values) is not list:
        return ()
    inner = {_shape_of(v) for v in values}
    if len(inner) > 1:
        raise Malformed("ragged array")
    return (len(values),) + (inner.pop() if inner else ())


def as_float(r: Returned) -> float | None:
    """The number a value stands for, or None when it is not a single number.
    A 0-d array (what np.where or np.asarray give for a float) is a number;
    a one-element list or array is not."""
    if r.kind == "number":
        return float(r.value)
    if r.kind == "array" and r.shape == ():
        return float(r.value)
    return None


LOW_PRECISION = ("float32", "float16")


def low_precision(r: Returned | None) -> bool:
    """Whether a value was computed in single (or half) precision."""
    if r is None:
        return False
    if r.kind in ("list", "tuple"):
        return any(low_precision(v) for v in r.value)
    return r.dtype in LOW_PRECISION


def as_vector(r: Returned) -> list[float] | None:
    """A flat sequence of numbers (list, tuple or 1-D array), or None."""
    if r.kind == "array":
        if len(r.shape) == 1:
            return [float(v) for v in r.value]
        return None
    if r.kind in ("list", "tuple"):
        out = []
        for item in r.value:
            f = as_float(item)
            if f is None:
                return None
            out.append(f)
        return out
    return None


def describe(r: Returned) -> str:
    """What the student returned, in words."""
    from .tolerance import fmt
    if r.kind == "number":
        prefix = "NumPy " if r.numpy else "sympy " if r.sympy else ""
        return f"{prefix}number {fmt(r.value)}" if prefix else fmt(r.value)
    if r.kind == "none":
        return "None"
    if r.kind == "bool":
        return f"the boolean {r.value}"
    if r.kind == "str":
        return f"the string {r.value!r}"
    if r.kind == "array":
        if r.shape == ():
            return f"np.array({fmt(r.value)})"
        if len(r.shape) == 1:
            return "np.array([" + ", ".join(fmt(v) for v in r.value[:12]) + \
                (", ..." if len(r.value) > 12 else "") + "])"
        return f"a NumPy array of shape {r.shape}"
    if r.kind in ("list", "tuple"):
        open_, close = ("[", "]") if r.kind == "list" else ("(", ")")
        inner = ", ".join(describe(v) for v in r.value[:12])
        more = ", ..." if len(r.value) > 12 else ""
        return f"{open_}{inner}{more}{close}"
    if r.kind == "dict":
        return "{" + ", ".join(f"{describe(k)}: {describe(v)}" for k, v in r.value[:6]) + \
            (", ..." if len(r.value) > 6 else "") + "}"
    if r.kind == "tree":
        return "a sympy expression"
    return f"an object of type {r.value}"


# ------------------------------------------------------------- probe results

@dataclass(frozen=True)
class ProbeResult:
    """What became of one probe.  ``status``: value, error, missing (the
    function is not defined), not_callable, spoiled (no answer: the process
    ended, hit a limit, or sent something unreadable)."""
    status: str
    value: Returned | None = None
    error_type: str = ""
    error_message: str = ""
    error_line: int | None = None
    fallback: tuple["ProbeResult", ...] = ()
    args_after: tuple[Returned, ...] = ()
    detail: str = ""

    @property
    def not_attempted(self) -> bool:
        return self.status == "error" and self.error_type == "NotImplementedError"

    def error_text(self) -> str:
        where = f" (line {self.error_line})" if self.error_line else ""
        msg = f": {self.error_message}" if self.error_message else ""
        return f"{self.error_type}{msg}{where}"


def decode_probe(obj: dict) -> ProbeResult:
    if "missing" in obj:
        return ProbeResult("missing")
    if "not_callable" in obj:
        return ProbeResult("not_callable", detail=clean_text(obj["not_callable"], 80))
    if "unencodable" in obj:
        return ProbeResult("spoiled", detail="its result could not be sent back")
    args_after = tuple(decode_value(v) for v in _list(obj.get("args_after", [])))
    if "error" in obj:
        err = obj["error"]
        if type(err) is not dict:
            raise Malformed("error record expected")
        line = err.get("line")
        fallback = tuple(decode_probe(f) for f in _list(obj.get("fallback", [])))
        return ProbeResult("error", error_type=clean_text(err.get("type", "?"), 80),
                           error_message=clean_text(err.get("message", ""), 500),
                           error_line=line if type(line) is int else None,
                           fallback=fallback, args_after=args_after)
    if "value" in obj:
        return ProbeResult("value", value=decode_value(obj["value"]), args_after=args_after)
    raise Malformed("probe record without a value or an error")


# What a root worker may go without, where the system refuses it.
ISOLATION_GAPS = ("pid", "network", "ipc", "mount", "root", "proc")


@dataclass
class WorkerReport:
    """The worker's lines, read: import outcome and one result per probe."""
    masked: bool | None = None
    # As root: the isolation this system refused the worker (see child.py).
    gaps: tuple[str, ...] = ()
    imported: bool = False
    import_error: ProbeResult | None = None
    results: dict[int, ProbeResult] = field(default_factory=dict)
    malformed: int = 0


def read_lines(lines: list[str], n_probes: int) -> WorkerReport:
    report = WorkerReport()
    for line in lines[: n_probes + 8]:
        try:
            obj = json.loads(line)
            if type(obj) is not dict:
                raise Malformed("record is not an object")
            if "masked" in obj and report.masked is None:
                report.masked = obj["masked"] is True
                gaps = obj.get("gaps")
                if type(gaps) is list:
                    report.gaps = tuple(g for g in gaps if g in ISOLATION_GAPS)
            elif "imported" in obj:
                report.imported = True
            elif "import_error" in obj and not report.imported and report.import_error is None:
                report.import_error = decode_probe({"error": obj["import_error"]})
            elif "i" in obj:
                i = obj["i"]
                if type(i) is int and 0 <= i < n_probes and i not in report.results:
                    report.results[i] = decode_probe(obj)
        except (ValueError, RecursionError, TypeError, AttributeError, OverflowError):
            report.malformed += 1
    return report


# -------------------------------------------------------- expression trees

class TreeError(ValueError):
    pass


MAX_DEGREE = 40


def rebuild_tree(tree: Any, allowed_symbols: tuple[str, ...] = ("x",),
                 max_degree: float | None = MAX_DEGREE):
    """Rebuild a sympy expression from a worker's tree, node by whitelisted node.

    Numbers are bounded (digits, exponents) and the tree's size and depth are
    capped, so that no tree can make sympy run for long.  Raises TreeError.
    """
    import sympy
    from .child import TREE_FUNCTIONS
    functions = {name: getattr(sympy, name) for name in TREE_FUNCTIONS}
    count = 0

    def build(node, depth):
        nonlocal count
        count += 1
        if count > MAX_TREE_NODES or depth > MAX_TREE_DEPTH:
            raise TreeError("the expression is too large to compare")
        if type(node) is not list or not node or type(node[0]) is not str:
            raise TreeError("malformed expression")
        head, args = node[0], node[1:]
        if head == "Symbol":
            if len(args) != 1 or args[0] not in allowed_symbols:
                raise TreeError(f"the expression uses a symbol other than {', '.join(allowed_symbols)}")
            return sympy.Symbol(args[0])
        if head == "Integer":
            return sympy.Integer(_int_text(args))
        if head == "Rational":
            if len(args) != 2:
                raise TreeError("malformed rational")
            q = _int_text(args[1:])
            if q == 0:
                raise TreeError("zero denominator")
            return sympy.Rational(_int_text(args[:1]), q)
        if head == "Float":
            if len(args) != 1 or type(args[0]) is not str or len(args[0]) > 40:
                raise TreeError("malformed float")
            try:
                return sympy.Float(float(args[0]))
            except ValueError:
                raise TreeError("malformed float") from None
        if head == "pi":
            return sympy.pi
        if head == "E":
            return sympy.E
        if head in ("Add", "Mul"):
            if not args:
                raise TreeError("empty sum or product")
            parts = [build(a, depth + 1) for a in args]
            return sympy.Add(*parts) if head == "Add" else sympy.Mul(*parts)
        if head == "Pow":
            if len(args) != 2:
                raise TreeError("malformed power")
            base, exponent = build(args[0], depth + 1), build(args[1], depth + 1)
            if exponent.is_number:
                try:
                    size = abs(float(exponent))
                except (TypeError, ValueError, OverflowError):
                    raise TreeError("an exponent is not a real number") from None
                if size > MAX_EXPONENT:
                    raise TreeError("an exponent is too large to compare")
            return sympy.Pow(base, exponent)
        if head in functions:
            if len(args) != 1:
                raise TreeError(f"malformed {head}")
            return functions[head](build(args[0], depth + 1))
        if head == "?":
            raise TreeError(f"the expression holds a {str(args[0])[:40] if args else 'node'} "
                            "the grader cannot read")
        raise TreeError(f"unknown expression node {head[:40]!r}")

    expr = build(tree, 0)
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
    from .child import TREE_FUNCTIONS
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
    from .child import compile_tree
    from .tree import FloatMath
    check_tree(tree)
    fn = compile_tree(tree, FloatMath)
    return [float(fn(float(x))) for x in points]


def finite(v: float) -> bool:
    return not (math.isnan(v) or math.isinf(v))
