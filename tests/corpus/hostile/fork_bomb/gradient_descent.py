"""Hostile: quadratic_grad starts a fork bomb bounded to a binary tree of
depth 6 (at most 126 forks); every process names itself MARKER and sleeps
until LIFE seconds have passed, then exits.  The worker then waits for its
children (at most 60 s).  gradient_descent, probed first, is correct."""

import ctypes
import os
import time

MARKER = "@MARKER@"
DEPTH = 6
LIFE = 20.0


def _name():
    try:
        ctypes.CDLL(None).prctl(15, MARKER.encode(), 0, 0, 0)
    except Exception:
        pass


def _node(depth, t0):
    for _ in range(2):
        if depth >= DEPTH:
            return
        try:
            pid = os.fork()
        except OSError:      # the process-count limit
            return
        if pid == 0:
            try:
                _name()
                _node(depth + 1, t0)
                while time.time() < t0 + LIFE:
                    time.sleep(0.05)
            finally:
                os._exit(0)


def gradient_descent(grad, x0, learning_rate, steps):
    x = float(x0)
    iterates = [x]
    for _ in range(steps):
        x = x - learning_rate * grad(x)
        iterates.append(float(x))
    return iterates


def quadratic_grad(x):
    t0 = time.time()
    _node(0, t0)
    while time.time() < t0 + 60:
        try:
            os.wait()
        except ChildProcessError:
            break
    return 2 * (x - 4)


def minimize_quadratic(x0=10.0, learning_rate=0.1, steps=100):
    return gradient_descent(lambda x: 2 * (x - 4), x0, learning_rate, steps)[-1]


def critical_learning_rate():
    return 1.0
