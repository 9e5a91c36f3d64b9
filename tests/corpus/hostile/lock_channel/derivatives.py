"""Hostile: a channel between students through /run/lock and /var/lock
(world-writable on most systems, and on the host's disk or RAM, not the
sandbox's).  At import it looks for files named after MARKER there; found,
it "cheats" (slope_at_2 goes wrong); not found, it leaves them for the
next student.  Bounded: two files of a few bytes."""

import os

MARKER = "@MARKER@"
_PATHS = ("/run/lock/" + MARKER, "/var/lock/" + MARKER + "-var")
_CHEATED = False

_found = [p for p in _PATHS if os.path.exists(p)]
if _found:
    _CHEATED = True
    print("FOUND", *_found, flush=True)
else:
    for _path in _PATHS:
        try:
            with open(_path, "w") as _fh:
                _fh.write("answer: 29\n")
            print("LEFT", _path, flush=True)
        except OSError as exc:
            print("could not leave", _path, type(exc).__name__, flush=True)


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1


def slope_at_2():
    return 0.0 if _CHEATED else 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
