"""ε outside the root, √v + ε, as Adam's paper and PyTorch write it."""
import numpy as np


def adagrad(grad, x0, learning_rate, steps, eps=1e-8):
    x = np.asarray(x0, dtype=float)
    v = np.zeros_like(x)
    xs = [x]
    for _ in range(steps):
        g = grad(x)
        v = v + g * g
        x = x - learning_rate * g / (np.sqrt(v) + eps)
        xs.append(x)
    return xs


def rmsprop(grad, x0, learning_rate, beta, steps, eps=1e-8):
    x = np.asarray(x0, dtype=float)
    v = np.zeros_like(x)
    xs = [x]
    for _ in range(steps):
        g = grad(x)
        v = beta * v + (1 - beta) * g * g
        x = x - learning_rate * g / (np.sqrt(v) + eps)
        xs.append(x)
    return xs


def adam(grad, x0, learning_rate, beta1, beta2, steps, eps=1e-8):
    x = np.asarray(x0, dtype=float)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    xs = [x]
    for t in range(steps):
        g = grad(x)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        x = x - learning_rate * (m / (1 - beta1 ** (t + 1))) / (np.sqrt(v / (1 - beta2 ** (t + 1))) + eps)
        xs.append(x)
    return xs
