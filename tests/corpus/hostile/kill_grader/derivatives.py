"""Hostile: numerical_derivative tries to kill the fork server (its parent),
the server's process group and the grader (the server's parent) with
SIGKILL, and raises the first error if any attempt failed.  When the
grader runs as root the worker is an unprivileged user, so every attempt
fails with PermissionError; otherwise the server dies (the grader
itself is attacked only from the unprivileged user)."""

import os
import signal


def _parent_of(pid):
    with open(f"/proc/{pid}/stat") as fh:
        return int(fh.read().rsplit(")", 1)[1].split()[1])


def _attack():
    server = os.getppid()
    attempts = [lambda: os.kill(server, signal.SIGKILL),
                lambda: os.killpg(os.getpgid(server), signal.SIGKILL)]
    if os.getuid() == 65534:
        # Only as the sandbox's unprivileged user: as the grader's own user
        # this would kill the test run itself (a safety belt for our suite).
        attempts.append(lambda: os.kill(_parent_of(server), signal.SIGKILL))
    errors = []
    for attempt in attempts:
        try:
            attempt()
        except OSError as exc:
            errors.append(exc)
    if errors:
        raise errors[0]


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1


def slope_at_2():
    return 29.0


def numerical_derivative(func, x, h=1e-5):
    _attack()
    return (func(x + h) - func(x - h)) / (2 * h)
