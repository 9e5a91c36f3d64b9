"""Exercise 5: momentum and Nesterov — moving faster across flat ground.

Plain gradient descent steps in proportion to the slope, so on a plateau
(like the flat start of the sigmoid neuron's loss) it crawls. Momentum
gives the walk a memory. It keeps a velocity u that adds up the recent
gradients, older ones fading by a factor β each step:

    u_t = β·u_{t−1} + η·g_t,      x_{t+1} = x_t − u_t,      u_{−1} = 0,

where g_t = grad(x_t). Unrolled, u_t = η·Σ β^(t−τ)·g_τ: when the gradients
keep pointing the same way the steps grow, towards η/(1 − β) times the
gradient — ten times η for β = 0.9.

Speed has a price: momentum overshoots. On (x − 4)² from x₀ = 0 with
η = 0.1 and β = 0.9 the iterates are 0, 0.8, 2.16, 3.752, 5.2344, 6.32168:
past the minimum at 4, then back, oscillating as they settle.

Nesterov's variant looks before it leaps. Momentum alone would carry x_t to
about x_t − β·u_{t−1}; Nesterov takes the gradient *there*:

    x̃_t = x_t − β·u_{t−1},   u_t = β·u_{t−1} + η·grad(x̃_t),   x_{t+1} = x_t − u_t.

Seeing the slope ahead, it brakes earlier: 0, 0.8, 2.016, 3.28832, 4.346726,
5.039434 on the same problem. The iterates are the x_t, never the
look-ahead points x̃_t.

A note on forms: PyTorch writes momentum as v_t = β·v_{t−1} + g_t,
x_{t+1} = x_t − η·v_t. For a constant η that is the same algorithm (u = η·v)
and gives the same iterates. The "moving average" v_t = β·v_{t−1} + (1 − β)·g_t
is a different one: its steps are (1 − β) times smaller.

``x0`` may be a number or a 1-D list or NumPy array of parameters (then
``grad`` returns an array of the same length, and every operation is
element by element). Write these functions:

- ``momentum_descent(grad, x0, learning_rate, beta, steps)``
- ``nesterov_descent(grad, x0, learning_rate, beta, steps)``

Each returns the list of the ``steps + 1`` iterates [x_0, x_1, ..., x_steps].
"""

import numpy as np


def momentum_descent(grad, x0, learning_rate, beta, steps):
    """Gradient descent with momentum; return every iterate.

    u_t = beta · u_{t−1} + learning_rate · grad(x_t), then x_{t+1} = x_t − u_t,
    with u starting at 0. Return ``[x_0, x_1, ..., x_steps]``.

    Example: with ``grad = lambda x: 2 * (x - 4)``, ``x0 = 0``,
    ``learning_rate = 0.1``, ``beta = 0.9`` and ``steps = 5`` the iterates
    are 0, 0.8, 2.16, 3.752, 5.2344, 6.32168.
    """
    x = np.asarray(x0, dtype=float)
    u = np.zeros_like(x)
    iterates = [x.copy()]
    for _ in range(steps):
        u = beta * u + learning_rate * np.asarray(grad(x), dtype=float)
        x = x - u
        iterates.append(x.copy())
    return [float(np.round(v, 5)) if v.ndim == 0 else np.round(v, 5) for v in iterates]


def nesterov_descent(grad, x0, learning_rate, beta, steps):
    """Nesterov's accelerated gradient; return every iterate.

    First look ahead to x̃_t = x_t − beta · u_{t−1}; then
    u_t = beta · u_{t−1} + learning_rate · grad(x̃_t) and x_{t+1} = x_t − u_t,
    with u starting at 0. Return the iterates x_t, not the look-ahead points.

    Example: same problem as ``momentum_descent``: 0, 0.8, 2.016, 3.28832,
    4.346726, 5.039434.
    """
    x = np.asarray(x0, dtype=float)
    u = np.zeros_like(x)
    iterates = [x.copy()]
    for _ in range(steps):
        ahead = x - beta * u
        u = beta * u + learning_rate * np.asarray(grad(ahead), dtype=float)
        x = x - u
        iterates.append(x.copy())
    return [float(v) if v.ndim == 0 else v for v in iterates]
