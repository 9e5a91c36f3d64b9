"""Hostile: overwrites the *original* submission's other modules (not the
sandbox's copy) with code that exits at import.  The test writes the
original folder's path into SUBMISSION.  derivatives itself is correct."""

import os

SUBMISSION = "@SUBMISSION@"

for _module in ("gradient_descent", "weight_updates", "neuron"):
    try:
        with open(os.path.join(SUBMISSION, _module + ".py"), "w") as _fh:
            _fh.write("raise SystemExit('sabotaged by derivatives.py')\n")
        print(f"overwrote {_module}.py")
    except OSError as exc:
        print(f"could not overwrite {_module}.py: {type(exc).__name__}")


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1


def slope_at_2():
    return 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
