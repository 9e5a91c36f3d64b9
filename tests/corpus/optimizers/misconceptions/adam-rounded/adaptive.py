"""Exercise 7: adaptive learning rates — AdaGrad, RMSProp and Adam.

One learning rate for every parameter fits badly when some parameters see
large gradients and others small ones (on the bowl 0.1·x₁² + 2·x₂² a rate
small enough for the steep x₂ crawls along the flat x₁). Adaptive methods
give each parameter its own step size, from the history of its own
gradients. Everything is element by element; g_t = grad(x_t), and every
accumulator starts at 0.

AdaGrad divides each step by the root of the sum of all squared gradients
so far:

    v_t = v_{t−1} + g_t²,    x_{t+1} = x_t − η·g_t / √(v_t + ε).

Its steps only ever shrink, which can stop it before it arrives.

RMSProp forgets old gradients: it keeps a moving average of the squares,

    v_t = β·v_{t−1} + (1 − β)·g_t²,    x_{t+1} = x_t − η·g_t / √(v_t + ε),

so the denominator follows the recent size of the gradient. Its first step
is η/√(1 − β) in the direction of −g: 0.316 for η = 0.1, β = 0.9.

Adam puts momentum on top: a moving average of the gradients over the root
of a moving average of their squares,

    m_t = β₁·m_{t−1} + (1 − β₁)·g_t,    v_t = β₂·v_{t−1} + (1 − β₂)·g_t²,

each divided by (1 − βᵏ) at the k-th update (k = t + 1, counted from 1) to
undo their start at 0: m̂ = m_t / (1 − β₁ᵏ), v̂ = v_t / (1 − β₂ᵏ), and
x_{t+1} = x_t − η·m̂ / (√v̂ + ε). With the correction the first step is η
against the sign of the gradient (0.1 on (x − 4)² from 0); without it,
0.316.

ε only keeps the division safe; √(v + ε) and √v + ε are both fine.

``x0`` may be a number or a 1-D list or NumPy array. Write these functions,
each returning the ``steps + 1`` iterates [x_0, ..., x_steps]:

- ``adagrad(grad, x0, learning_rate, steps, eps=1e-8)``
- ``rmsprop(grad, x0, learning_rate, beta, steps, eps=1e-8)``
- ``adam(grad, x0, learning_rate, beta1, beta2, steps, eps=1e-8)``
"""

import numpy as np


def _iterates(values):
    return [float(v) if v.ndim == 0 else v for v in values]


def adagrad(grad, x0, learning_rate, steps, eps=1e-8):
    """AdaGrad: v_t = v_{t−1} + g_t², x_{t+1} = x_t − η·g_t / √(v_t + ε).

    Example: ``grad = lambda x: 2 * (x - 4)``, ``x0 = 0``,
    ``learning_rate = 0.5``, 5 steps: 0, 0.5, 0.829252, 1.085413, 1.298438,
    1.482091.
    """
    x = np.asarray(x0, dtype=float)
    v = np.zeros_like(x)
    iterates = [x.copy()]
    for _ in range(steps):
        g = np.asarray(grad(x), dtype=float)
        v = v + g**2
        x = x - learning_rate * g / np.sqrt(v + eps)
        iterates.append(x.copy())
    return _iterates(iterates)


def rmsprop(grad, x0, learning_rate, beta, steps, eps=1e-8):
    """RMSProp: v_t = β·v_{t−1} + (1 − β)·g_t², x_{t+1} = x_t − η·g_t / √(v_t + ε).

    Example: same problem with ``learning_rate = 0.1``, ``beta = 0.9``:
    0, 0.316228, 0.536493, 0.716142, 0.872276, 1.012722.
    """
    x = np.asarray(x0, dtype=float)
    v = np.zeros_like(x)
    iterates = [x.copy()]
    for _ in range(steps):
        g = np.asarray(grad(x), dtype=float)
        v = beta * v + (1 - beta) * g**2
        x = x - learning_rate * g / np.sqrt(v + eps)
        iterates.append(x.copy())
    return _iterates(iterates)


def adam(grad, x0, learning_rate, beta1, beta2, steps, eps=1e-8):
    """Adam, with the bias correction counted from k = 1 at the first update.

    m_t = β₁·m_{t−1} + (1 − β₁)·g_t, v_t = β₂·v_{t−1} + (1 − β₂)·g_t²,
    m̂ = m_t / (1 − β₁ᵏ), v̂ = v_t / (1 − β₂ᵏ), x_{t+1} = x_t − η·m̂ / (√v̂ + ε).

    Example: same problem with ``learning_rate = 0.1``, ``beta1 = 0.9``,
    ``beta2 = 0.999``: 0, 0.1, 0.199926, 0.299726, 0.399347, 0.498732.
    """
    x = np.asarray(x0, dtype=float)
    m = np.zeros_like(x)
    v = np.zeros_like(x)
    iterates = [x.copy()]
    for k in range(1, steps + 1):
        g = np.asarray(grad(x), dtype=float)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**k)
        v_hat = v / (1 - beta2**k)
        x = x - learning_rate * m_hat / (np.sqrt(v_hat) + eps)
        iterates.append(np.round(x, 4))
    return _iterates(iterates)
