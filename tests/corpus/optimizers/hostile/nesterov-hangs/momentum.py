"""momentum_descent is right; nesterov_descent spins for 6 s (longer than
the exercise's time budget in the tests, and then ends by itself)."""
import time

import numpy as np


def momentum_descent(grad, x0, learning_rate, beta, steps):
    x = np.asarray(x0, dtype=float)
    u = np.zeros_like(x)
    iterates = [x.copy()]
    for _ in range(steps):
        u = beta * u + learning_rate * np.asarray(grad(x), dtype=float)
        x = x - u
        iterates.append(x.copy())
    return iterates


def nesterov_descent(grad, x0, learning_rate, beta, steps):
    end = time.monotonic() + 6
    while time.monotonic() < end:
        pass
    return [x0] * (steps + 1)
