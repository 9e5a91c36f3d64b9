"""Hostile: leaves processes behind, each trying to outlive the sandbox.

At import: a Python daemon (double fork, new session, SIGTERM and SIGHUP
ignored); a shell daemon (exec of /bin/sh whose command line carries
MARKER); and ten "hoppers" that wait for the worker to end and then fork
and exit again and again (each generation in a new session) to slip past
the sweep, and then linger.  Every process is named MARKER (comm) and ends
by itself within LIFE seconds.  The exercise itself is correct."""

import ctypes
import os
import signal
import time

import numpy as np

MARKER = "@MARKER@"
LIFE = 20.0
_T0 = time.time()


def _name():
    try:
        ctypes.CDLL(None).prctl(15, MARKER.encode(), 0, 0, 0)
    except Exception:
        pass


def _detach():
    """Fork twice; True in the grandchild (new session, descriptors closed)."""
    if os.fork():
        return False
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        os.closerange(3, 65536)
        for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(s, signal.SIG_IGN)
        _name()
        return True
    except BaseException:
        os._exit(0)


def _python_daemon():
    if _detach():
        try:
            while time.time() < _T0 + LIFE:
                time.sleep(0.1)
        finally:
            os._exit(0)


def _shell_daemon():
    if _detach():
        try:
            os.execv("/bin/sh", ["sh", "-c", "sleep 20; exit 0", MARKER])
        finally:
            os._exit(0)


def _hopper(worker):
    if os.fork():
        return
    try:
        os.setsid()
        os.closerange(3, 65536)
        _name()
        while os.getppid() == worker and time.time() < _T0 + LIFE:
            time.sleep(0.0005)
        end = time.time() + 2.0
        while time.time() < end:
            try:
                pid = os.fork()
            except OSError:
                continue
            if pid:
                os._exit(0)
            os.setsid()
        while time.time() < _T0 + LIFE:     # a survivor lingers, to be seen
            time.sleep(0.1)
    finally:
        os._exit(0)


_python_daemon()
_shell_daemon()
for _ in range(10):
    _hopper(os.getpid())

X = [0.5, 2.5]
Y = [0.2, 0.9]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def predict(w, b, x):
    return sigmoid(w * x + b)


def loss(w, b, xs, ys):
    return float(0.5 * sum((predict(w, b, x) - y) ** 2 for x, y in zip(xs, ys)))


def gradients(w, b, xs, ys):
    dw = db = 0.0
    for x, y in zip(xs, ys):
        fx = predict(w, b, x)
        delta = (fx - y) * fx * (1 - fx)
        dw += delta * x
        db += delta
    return float(dw), float(db)


def train(w, b, xs, ys, learning_rate, epochs):
    for _ in range(epochs):
        dw, db = gradients(w, b, xs, ys)
        w, b = w - learning_rate * dw, b - learning_rate * db
    return float(w), float(b)
