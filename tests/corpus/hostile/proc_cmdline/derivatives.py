"""Hostile: reads every process's command line in /proc, looking for the
grader's (its --seed, the class root, --out).  Found, it "cheats"
(slope_at_2 goes wrong).  Bounded: one pass over /proc."""

import os

_CHEATED = False
_seen = 0
for _entry in os.listdir("/proc"):
    if not _entry.isdigit():
        continue
    try:
        with open(f"/proc/{_entry}/cmdline", "rb") as _fh:
            _args = _fh.read().split(b"\0")
    except OSError:
        continue
    _seen += 1
    if b"--seed" in _args:
        _CHEATED = True
        print("FOUND --seed in", _entry, flush=True)
print("PROCESSES", _seen, flush=True)


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1


def slope_at_2():
    return 0.0 if _CHEATED else 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
