"""Hostile: fills its working folder with files (each under the output cap,
which is per file): up to 3 000 files of 32 KiB, 94 MiB in all, stopping
at the first refusal.  Where the working copy sits on the host's disk,
all of it lands there.  Prints how much it wrote.  The exercise itself is
correct."""

import os

_bytes = _files = 0
_chunk = b"\0" * (32 * 1024)
try:
    os.mkdir("flood")
    for _i in range(3000):
        with open(os.path.join("flood", str(_i)), "wb") as _fh:
            _fh.write(_chunk)
        _files += 1
        _bytes += len(_chunk)
except OSError as exc:
    print("stopped:", type(exc).__name__, flush=True)
print("WROTE", _files, "FILES", _bytes, "BYTES", flush=True)
_CHEATED = False


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1


def slope_at_2():
    return 0.0 if _CHEATED else 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
