"""Exercise 6: stochastic and mini-batch gradient descent.

Full-batch gradient descent (exercise 4's ``train``) adds up the gradient
over every point before it takes one step. With many points that is one
slow step per pass over the data. Stochastic gradient descent (SGD) steps
after every single point; mini-batch descent after every batch of
``batch_size`` consecutive points. An epoch then makes several updates, each
from less data and so noisier; with a batch as large as the data set it is
full-batch descent again.

Two rules keep the batches honest. Each update uses only its own batch's
gradient: the sums start again at zero for every batch. And every epoch
starts again at the first point, so a last batch that is shorter than the
others (7 points in batches of 3: 3, 3 and 1) is still used, and never
carries over into the next epoch.

The neuron is exercise 4's: f(x) = σ(w·x + b), and a batch's loss is
½ Σ_{i in batch} (σ(w·xᵢ + b) − yᵢ)² — a sum over the batch, not a mean.
From (w, b) = (−2, −2) with η = 1 on the two points, one epoch of SGD
gives (−1.994475796, −1.992276087), close to one full-batch step; after
1000 epochs it is near (1.791727, −2.282127).

Write ``minibatch_train(w, b, xs, ys, learning_rate, epochs, batch_size)``.
``sigmoid`` is given.
"""

import numpy as np

# The two data points (x, y) of exercise 4. Given, not graded.
X = [0.5, 2.5]
Y = [0.2, 0.9]


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), for numbers and NumPy arrays. Given."""
    return 1.0 / (1.0 + np.exp(-z))


def minibatch_train(w, b, xs, ys, learning_rate, epochs, batch_size):
    """Train the neuron by mini-batch gradient descent; return ``(w, b)``.

    In each epoch walk the points in order, in batches of ``batch_size``
    consecutive points (the last batch may be shorter; no shuffling). After
    each batch, compute the gradient of that batch's loss
    ½ Σ (σ(w·x + b) − y)² at the current (w, b) and update w and b together.

    ``batch_size = 1`` is stochastic gradient descent; ``batch_size`` of at
    least ``len(xs)`` is full-batch descent.

    Example: ``minibatch_train(-2, -2, X, Y, 1.0, 1, 1)`` gives about
    ``(-1.994475796, -1.992276087)``.
    """
    for _ in range(epochs + 1):
        for start in range(0, len(xs), batch_size):
            dw = db = 0.0
            for x, y in zip(xs[start:start + batch_size], ys[start:start + batch_size]):
                fx = sigmoid(w * x + b)
                delta = (fx - y) * fx * (1 - fx)
                dw += delta * x
                db += delta
            w, b = w - learning_rate * dw, b - learning_rate * db
    return float(w), float(b)
