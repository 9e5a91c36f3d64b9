"""Hostile: quadratic_grad ends the process with os._exit(7), so every probe
after it (quadratic_grad, minimize_quadratic, critical_learning_rate) is
spoiled.  gradient_descent itself is correct and runs first."""

import os


def gradient_descent(grad, x0, learning_rate, steps):
    x = float(x0)
    iterates = [x]
    for _ in range(steps):
        x = x - learning_rate * grad(x)
        iterates.append(float(x))
    return iterates


def quadratic_grad(x):
    os._exit(7)


def minimize_quadratic(x0=10.0, learning_rate=0.1, steps=100):
    return gradient_descent(lambda x: 2 * (x - 4), x0, learning_rate, steps)[-1]


def critical_learning_rate():
    return 1.0
