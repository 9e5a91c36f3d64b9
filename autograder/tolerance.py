"""Numeric tolerance, after pytest's ``approx``: named defaults,
tolerance = max(rel * |expected|, abs), and a mismatch table for sequences."""

from __future__ import annotations

import math

REL = 1e-9
ABS = 1e-12


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


def fmt(value: float) -> str:
    """A number as a student would like to read it: short, but exact enough."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return f"{value:.10g}"


def fmt_approx(expected: float, rel: float = REL, abs_: float = ABS) -> str:
    return f"{fmt(expected)} ± {tolerance(expected, rel, abs_):.1g}"


def mismatch_table(got: list[float], expected: list[float], rel: float = REL,
                   abs_: float = ABS, label: str = "index", limit: int = 6) -> str:
    """``index | obtained | expected`` rows for the elements that differ,
    plus the largest absolute difference, as pytest's approx prints them."""
    rows = [(i, g, e) for i, (g, e) in enumerate(zip(got, expected))
            if not is_close(g, e, rel, abs_)]
    if not rows:
        return ""
    diffs = [abs(g - e) for _, g, e in rows if not (math.isnan(g) or math.isnan(e))]
    width = max(len(label), 5)
    lines = [f"{label:>{width}} | {'obtained':>16} | {'expected':>16}"]
    for i, g, e in rows[:limit]:
        lines.append(f"{i:>{width}} | {fmt(g):>16} | {fmt(e):>16}")
    if len(rows) > limit:
        lines.append(f"... and {len(rows) - limit} more")
    lines.append(f"{len(rows)} of {len(expected)} differ; max absolute difference: "
                 f"{fmt(max(diffs)) if diffs else 'nan'}")
    return "\n".join(lines)
