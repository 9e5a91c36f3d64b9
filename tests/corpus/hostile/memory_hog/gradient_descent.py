"""Hostile: minimize_quadratic grows a list of 32 MiB blocks, touching every
page, up to 3 GiB in all (it stops by itself there), then answers
correctly.  The rest is correct."""


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
    hoard = []
    for _ in range(96):                       # 96 x 32 MiB = 3 GiB at most
        hoard.append(b"\x01" * (32 * 1024 * 1024))
    del hoard
    return gradient_descent(quadratic_grad, x0, learning_rate, steps)[-1]


def critical_learning_rate():
    return 1.0
