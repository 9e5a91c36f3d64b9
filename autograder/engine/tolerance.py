"""Numeric tolerance, after pytest's ``approx``: named defaults,
tolerance = max(rel * |expected|, abs), validated values, and a mismatch
table for sequences.

Every comparison of a student's number with the grader's is a
:class:`Tolerance`, declared with the check it belongs to and carrying a
short note on *why* it is that size: what legitimate ways of computing the
same thing (another order of a sum, a numerical gradient, float
accumulation over many steps) differ by, and which wrong answer it must
still tell apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# approx's default relative tolerance is 1e-6; ours is tighter because every
# value the grader compares is a short float computation on inputs of
# moderate size (a few dozen operations at most between the grader's code and
# any correct student's), whose rounding stays below 1e-12 relative; 1e-9
# leaves a thousandfold margin for that and still tells apart answers that
# differ in the tenth digit (100 steps of descent stop 1.2e-9 short of 4).
REL = 1e-9
ABS = 1e-12


@dataclass(frozen=True)
class Tolerance:
    """How far a student's number may be from the grader's: max(rel·|expected|, abs).

    ``why`` says where the size comes from; a tolerance is validated as
    pytest's approx validates its own (negative or NaN is refused)."""
    rel: float = REL
    abs: float = ABS
    why: str = ""

    def __post_init__(self) -> None:
        for name in ("rel", "abs"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise TypeError(f"tolerance {name}={value!r} is not a number")
            if math.isnan(value) or value < 0 or math.isinf(value):
                raise ValueError(f"tolerance {name}={value!r}: it must be a finite number >= 0")

    def size(self, expected: float) -> float:
        return tolerance(expected, self.rel, self.abs)

    def close(self, got: float, expected: float) -> bool:
        return is_close(got, expected, self.rel, self.abs)

    def approx(self, expected: float) -> str:
        return fmt_approx(expected, self.rel, self.abs)


DEFAULT = Tolerance(REL, ABS, "the default: rounding of a short float computation")


def tolerance(expected: float, rel: float = REL, abs_: float = ABS) -> float:
    return max(rel * abs(expected), abs_)


def is_close(got: float, expected: float, rel: float = REL, abs_: float = ABS) -> bool:
    if math.isnan(expected):
        return math.isnan(got)
    if math.isinf(expected):
        return got == expected
    if math.isnan(got) or math.isinf(got):
        return False
    return abs(got - expected) <= tolerance(expected, rel, abs_)


def fmt(value: float, digits: int = 10) -> str:
    """A number as a student would like to read it: short, but exact enough."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return f"{value:.{digits}g}"


def fmt_pair(got: float, expected: float) -> tuple[str, str]:
    """Both numbers with as many digits as it takes for two different
    numbers to read differently (10 significant digits, up to 17)."""
    for digits in range(10, 18):
        a, b = fmt(got, digits), fmt(expected, digits)
        if got == expected or float(a) != float(b):
            return a, b
    return repr(float(got)), repr(float(expected))


def fmt_approx(expected: float, rel: float = REL, abs_: float = ABS, shown: str | None = None) -> str:
    return f"{shown or fmt(expected)} ± {tolerance(expected, rel, abs_):.1g}"


def mismatch_table(got: list[float], expected: list[float], rel: float = REL,
                   abs_: float = ABS, label: str = "index", limit: int = 6) -> str:
    """``index | obtained | expected`` rows for the elements that differ,
    plus the largest absolute difference, as pytest's approx prints them."""
    rows = [(i, g, e) for i, (g, e) in enumerate(zip(got, expected))
            if not is_close(g, e, rel, abs_)]
    if not rows:
        return ""
    diffs = [abs(g - e) for _, g, e in rows if not (math.isnan(g) or math.isnan(e))]
    shown = [(i, *fmt_pair(g, e)) for i, g, e in rows[:limit]]
    col = max([16] + [max(len(a), len(b)) for _, a, b in shown])
    width = max(len(label), 5)
    lines = [f"{label:>{width}} | {'obtained':>{col}} | {'expected':>{col}}"]
    for i, a, b in shown:
        lines.append(f"{i:>{width}} | {a:>{col}} | {b:>{col}}")
    if len(rows) > limit:
        lines.append(f"... and {len(rows) - limit} more")
    lines.append(f"{len(rows)} of {len(expected)} differ; max absolute difference: "
                 f"{fmt(max(diffs)) if diffs else 'nan'}"
                 f" (tolerance: {rel:g} relative, {abs_:g} absolute)")
    return "\n".join(lines)
