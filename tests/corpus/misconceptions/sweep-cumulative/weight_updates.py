"""Exercise 3: updating many weights with one learning rate.

A model has many weights, and gradient descent moves each of them against
its own slope, all with the same learning rate η:

    wᵢ ← wᵢ − η · gᵢ,   where gᵢ = ∂L/∂wᵢ.

For weights [0.5, −0.5, 0.3], gradients [0.1, −0.2, 0.05] and η = 0.01 the
new weights are [0.499, −0.498, 0.2995]. Repeating the update with
η = 0.001, 0.01, 0.1 and 1 shows that the change is proportional to η: too
small and learning is slow, too large and the step overshoots.

Write these functions:

- ``update_weights(weights, gradients, learning_rate)``: one update step.
- ``sweep_learning_rates(weights, gradients, learning_rates)``: the same
  update for several learning rates.
"""


def update_weights(weights, gradients, learning_rate):
    """Return the new weights w − learning_rate · g, one per weight.

    ``weights`` and ``gradients`` have the same length; they may be lists,
    tuples or NumPy arrays. Return a new list of floats and leave
    ``weights`` itself unchanged.

    Example: ``update_weights([0.5, -0.5, 0.3], [0.1, -0.2, 0.05], 0.01)``
    returns ``[0.499, -0.498, 0.2995]``.
    """
    return [
        float(w - learning_rate * g)
        for w, g in zip(weights, gradients, strict=True)
    ]


def sweep_learning_rates(weights, gradients, learning_rates):
    """Return a dict mapping each learning rate to the weights it produces.

    For every ``rate`` in ``learning_rates`` the value is
    ``update_weights(weights, gradients, rate)``: each rate starts from the
    same original weights.

    Example: ``sweep_learning_rates([1.0], [2.0], [0.1, 1])`` returns
    ``{0.1: [0.8], 1: [-1.0]}``.
    """
    results = {}
    for rate in learning_rates:
        weights = update_weights(weights, gradients, rate)
        results[rate] = weights
    return results
