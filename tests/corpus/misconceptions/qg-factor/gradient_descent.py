"""Exercise 2: gradient descent, and how the learning rate decides its fate.

Gradient descent finds a minimum by walking downhill: start somewhere,
measure the slope, take a small step against it, and repeat.

Why against the slope? For a small step of length η in a direction u,
a first-order Taylor expansion gives

    L(θ + ηu) ≈ L(θ) + η · uᵀ∇L(θ).

The change η · uᵀ∇L(θ) is most negative when u points exactly opposite to
the gradient. So each step is

    x_{t+1} = x_t − η · L'(x_t).

The step is η times the slope: long where the curve is steep, short where
it is flat. On f(x) = x² with x₀ = 10 and η = 0.1, every step multiplies x
by 1 − 2η = 0.8: 10, 8, 6.4, 5.12, 4.096, 3.2768, ... and after ten steps
x = 1.073741824.

The learning rate η matters. On (x − 4)², the distance to the minimum
obeys x_{t+1} − 4 = (1 − 2η)(x_t − 4), so the iterates approach 4 only
when that factor has size below one. A small η crawls, a well-chosen η is
quick, and too large an η overshoots the minimum by more than it started
from and runs away.

Write these functions:

- ``gradient_descent(grad, x0, learning_rate, steps)``: all the iterates.
- ``quadratic_grad(x)``: the derivative of (x − 4)².
- ``minimize_quadratic(x0=10.0, learning_rate=0.1, steps=100)``: where
  gradient descent on (x − 4)² ends up.
- ``critical_learning_rate()``: the smallest learning rate at which
  gradient descent on (x − 4)² stops converging.
"""


def gradient_descent(grad, x0, learning_rate, steps):
    """Run ``steps`` steps of gradient descent from ``x0``; return every iterate.

    ``grad`` is a function returning the derivative at a point. Each step
    moves x against the gradient: x_{t+1} = x_t − learning_rate · grad(x_t).

    Return the list ``[x0, x1, ..., x_steps]`` of ``steps + 1`` floats,
    starting point included.

    Example: ``gradient_descent(lambda x: 2 * x, 10, 0.1, 10)`` gives
    10, 8, 6.4, 5.12, 4.096, 3.2768, ..., 1.073741824 (eleven values).
    """
    x = float(x0)
    iterates = [x]
    for _ in range(steps):
        x = x - learning_rate * grad(x)
        iterates.append(float(x))
    return iterates


def quadratic_grad(x):
    """Return the derivative of (x − 4)² at ``x``."""
    return 2 * 2 * (x - 4)


def minimize_quadratic(x0=10.0, learning_rate=0.1, steps=100):
    """Return the x reached after ``steps`` steps of gradient descent on (x − 4)².

    Use your ``gradient_descent`` and ``quadratic_grad``. Really iterate:
    after only a few steps x is not yet at the minimum 4, and the grader
    checks small step counts too.
    """
    return gradient_descent(quadratic_grad, x0, learning_rate, steps)[-1]


def critical_learning_rate():
    """Return the smallest learning rate at which descent on (x − 4)² fails.

    Each step multiplies the distance to 4 by (1 − 2η). Find the smallest
    positive η for which that factor no longer has size below one. (What
    happens to the iterates at exactly that rate?)
    """
    # |1 - 2η| < 1 holds exactly for 0 < η < 1; at η = 1 the iterates
    # bounce between x0 and 8 - x0 forever.
    return 1.0
