"""Hostile: ignores or resets every catchable signal at import, blocks them,
arms an alarm whose handler swallows it, then critical_learning_rate sleeps
for up to 60 s, swallowing any exception.  The rest is correct."""

import signal
import time

_CATCHABLE = [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,
              signal.SIGUSR2, signal.SIGXCPU, signal.SIGXFSZ, signal.SIGPIPE, signal.SIGCHLD]
for _s in _CATCHABLE:
    try:
        signal.signal(_s, signal.SIG_IGN)
    except (OSError, ValueError):
        pass
signal.signal(signal.SIGALRM, lambda *a: None)   # "reset": a handler that does nothing
signal.setitimer(signal.ITIMER_REAL, 0.5, 0.5)
try:
    signal.pthread_sigmask(signal.SIG_BLOCK, set(_CATCHABLE) | {signal.SIGALRM})
except (OSError, ValueError):
    pass


def gradient_descent(grad, x0, learning_rate, steps):
    x = float(x0)
    iterates = [x]
    for _ in range(steps):
        x = x - learning_rate * grad(x)
        iterates.append(float(x))
    return iterates


def quadratic_grad(x):
    return 2 * (x - 4)


def minimize_quadratic(x0=10.0, learning_rate=0.1, steps=100):
    return gradient_descent(quadratic_grad, x0, learning_rate, steps)[-1]


def critical_learning_rate():
    t0 = time.time()
    while time.time() < t0 + 60:
        try:
            time.sleep(0.05)
        except BaseException:  # KeyboardInterrupt, SystemExit from a handler...
            pass
    return 1.0
