"""What crosses the wall, in both directions, and how the grader reads it.

Grader -> worker: probe arguments as plain JSON (:func:`encode_arg`).
Worker -> grader: one JSON line per probe, read here as *untrusted* data.
Only dicts, lists, strings and numbers come out of ``json.loads``; they are
turned into :class:`Returned` values by exact shape checks (expression trees
are rebuilt in :mod:`autograder.engine.expressions`).  No student object, method or string
is ever evaluated on this side.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

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
    (see :mod:`autograder.engine.expressions`), with the name a student reads."""
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
    from autograder.engine.tolerance import fmt
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
        raw = data["$array"]
        if type(raw) is list and depth < 60 and all(type(x) in (int, float) for x in raw):
            # A 1-D array, the usual one: read as _numbers_nested and _shape_of would.
            values = [_number(x) for x in raw]
            return Returned("array", values, numpy=True, shape=(len(values),),
                            dtype=clean_text(data.get("dtype", ""), 20))
        values = _numbers_nested(raw, depth)
        return Returned("array", values, numpy=True, shape=_shape_of(values),
                        dtype=clean_text(data.get("dtype", ""), 20))
    for kind in ("list", "tuple"):
        if "$" + kind in data:
            items = _list(data["$" + kind])
            if depth + 1 > 60:
                return Returned(kind, [decode_value(v, depth + 1) for v in items])
            # Plain numbers, the usual items, read here as decode_value reads them.
            return Returned(kind, [Returned("number", _number(v)) if type(v) in (int, float)
                                   else decode_value(v, depth + 1) for v in items])
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
    if text.isascii() and text.isprintable():
        return text            # the usual case, as the rest would leave it
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


def describe(r: Returned, shown=None) -> str:
    """What the student returned, in words: numbers plainly (a NumPy number
    reads as any number; its type is said once, where it matters: single
    precision).  ``shown(i, number)``, where given, writes the i-th number
    of a flat sequence (with as many digits as its comparison needs)."""
    text = _describe(r, shown)
    kinds = sorted({d for d in _dtypes(r) if d in LOW_PRECISION})
    if kinds:
        text += f" (NumPy {' and '.join(kinds)}: single precision)"
    return text


def _dtypes(r: Returned) -> set[str]:
    if r.kind in ("list", "tuple"):
        return set().union(*(_dtypes(v) for v in r.value[:12])) if r.value else set()
    return {r.dtype} if r.dtype else set()


def _describe(r: Returned, shown=None, index: int | None = None) -> str:
    from autograder.engine.tolerance import fmt
    if r.kind == "number":
        text = shown(index, r.value) if shown and index is not None else fmt(r.value)
        return f"sympy number {text}" if r.sympy else text
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
            return "np.array([" + ", ".join(shown(i, v) if shown else fmt(v)
                                            for i, v in enumerate(r.value[:12])) + \
                (", ..." if len(r.value) > 12 else "") + "])"
        return f"a NumPy array of shape {r.shape}"
    if r.kind in ("list", "tuple"):
        open_, close = ("[", "]") if r.kind == "list" else ("(", ")")
        inner = ", ".join(_describe(v, shown, i) for i, v in enumerate(r.value[:12]))
        more = ", ..." if len(r.value) > 12 else ""
        return f"{open_}{inner}{more}{close}"
    if r.kind == "dict":
        return "{" + ", ".join(f"{_describe(k)}: {_describe(v)}" for k, v in r.value[:6]) + \
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
    printed: str = ""      # what the call printed (its start)
    # For a probe without an answer: the call that was running when the
    # worker was cut short, where that call belongs to another check.
    cut_by: str = ""
    never_ran: bool = False   # no answer, and the call never started (e.g. the import hung)

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
    printed = clean_text(obj.get("printed", ""), PRINTED_KEEP)
    if "error" in obj:
        err = obj["error"]
        if type(err) is not dict:
            raise Malformed("error record expected")
        line = err.get("line")
        fallback = tuple(decode_probe(f) for f in _list(obj.get("fallback", [])))
        return ProbeResult("error", error_type=clean_text(err.get("type", "?"), 80),
                           error_message=clean_text(err.get("message", ""), 500),
                           error_line=line if type(line) is int else None,
                           fallback=fallback, args_after=args_after, printed=printed)
    if "value" in obj:
        return ProbeResult("value", value=decode_value(obj["value"]), args_after=args_after,
                           printed=printed)
    raise Malformed("probe record without a value or an error")


# The most of a call's printed output the grader keeps (the worker sends as much).
PRINTED_KEEP = 2048


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


def read_lines(lines: list[str], n_probes: int, restarts: int = 0) -> WorkerReport:
    """The worker's lines, read; ``restarts``: how many workers went on
    after one ran out of its check's time (each says again whether it is
    masked and imported)."""
    report = WorkerReport()
    for line in lines[: n_probes + 8 + 2 * restarts]:
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
