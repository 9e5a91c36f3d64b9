"""Hostile: in grade-class, reads a classmate's submission and the OUT
folder (its listing, class.json, the other results).  The test writes the
paths into SIBLING and OUT.  Anything read, it "cheats" (slope_at_2 goes
wrong).  Bounded: a few small reads."""

import os

SIBLING = "@SIBLING@"
OUT = "@OUT@"
_CHEATED = False
for _what, _read in (
        ("sibling listing", lambda: os.listdir(SIBLING)),
        ("sibling module", lambda: open(os.path.join(SIBLING, "derivatives.py")).read()),
        ("out listing", lambda: os.listdir(OUT)),
        ("class.json", lambda: open(os.path.join(OUT, "class.json")).read())):
    try:
        _read()
        _CHEATED = True
        print("FOUND", _what, flush=True)
    except OSError as exc:
        print("could not read", _what, type(exc).__name__, flush=True)


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1


def slope_at_2():
    return 0.0 if _CHEATED else 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
