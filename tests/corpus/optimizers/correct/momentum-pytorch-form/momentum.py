"""Momentum written as PyTorch writes it: v = β·v + g, x = x − η·v (the
same iterates for a constant η); Nesterov through the velocity v as well."""
import numpy as np


def momentum_descent(grad, x0, learning_rate, beta, steps):
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    out = [x]
    for _ in range(steps):
        v = beta * v + grad(x)
        x = x - learning_rate * v
        out.append(x)
    return out


def nesterov_descent(grad, x0, learning_rate, beta, steps):
    x = np.array(x0, dtype=float)
    v = np.zeros_like(x)
    out = [x]
    for _ in range(steps):
        g = grad(x - learning_rate * beta * v)
        v = beta * v + g
        x = x - learning_rate * v
        out.append(x)
    return out
