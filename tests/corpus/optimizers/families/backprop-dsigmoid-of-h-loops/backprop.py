"""Exercise 8: softmax, cross-entropy and backpropagation.

To classify, a network outputs one score (a logit) zᵢ per class, and softmax
turns the scores into probabilities:

    softmax(z)ᵢ = e^{zᵢ} / Σⱼ e^{zⱼ}.

Adding the same number to every logit changes nothing, so subtract max(z)
first: then the largest exponent is e⁰ = 1 and nothing overflows, even for
logits like [1000, 1000] (which give [0.5, 0.5]).

Cross-entropy measures how far the predicted distribution p is from the
true one y:

    CE(p, y) = −Σᵢ yᵢ · log pᵢ.

A class with yᵢ = 0 contributes nothing, even where pᵢ is 0 (0 · log 0 is
taken as 0). For a one-hot y it is −log of the probability given to the
right class: for z = [2, 1, 0.1] and the first class, p = [0.659, 0.242,
0.099] and the loss is 0.417.

Its gradient with respect to the logits is remarkably simple:
∂CE(softmax(z), y)/∂z = softmax(z) − y (for a y that sums to 1).

Backpropagation applies the chain rule layer by layer, from the loss back to
the first weights. For the two-layer network

    h = σ(W1·x + b1),   z = W2·h + b2,   L = CE(softmax(z), y):

    ∂L/∂z  = softmax(z) − y
    ∂L/∂W2 = (∂L/∂z) hᵀ           ∂L/∂b2 = ∂L/∂z
    ∂L/∂h  = W2ᵀ (∂L/∂z)
    ∂L/∂a  = ∂L/∂h ⊙ h ⊙ (1 − h)   (a = W1·x + b1; σ' = σ(1 − σ))
    ∂L/∂W1 = (∂L/∂a) xᵀ           ∂L/∂b1 = ∂L/∂a

The single sigmoid neuron of assignment 1 is the smallest case of this.
Check your gradients against central differences of the loss: a relative
error near 1e−7 or below is right, above 1e−2 is a bug.

Write these functions:

- ``softmax(z)``: probabilities from a 1-D list or array of logits.
- ``cross_entropy(p, y)``: −Σ yᵢ log pᵢ.
- ``softmax_cross_entropy_grad(z, y)``: the gradient with respect to z.
- ``two_layer_gradients(x, y, W1, b1, W2, b2)``: the dict of the four
  parameters' gradients.
"""

import numpy as np


def softmax(z):
    """Return e^{zᵢ} / Σⱼ e^{zⱼ} as an array, without overflow for large z.

    Example: ``softmax([2, 1, 0.1])`` is about [0.659001, 0.242433, 0.098566];
    ``softmax([1000, 1000])`` is [0.5, 0.5].
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def cross_entropy(p, y):
    """Return −Σᵢ yᵢ · log pᵢ; a term with yᵢ = 0 counts 0, even where pᵢ = 0.

    Example: ``cross_entropy(softmax([2, 1, 0.1]), [1, 0, 0])`` is about
    0.417030.
    """
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    used = y != 0
    return float(-np.sum(y[used] * np.log(p[used]))) + 0.0   # never -0.0


def softmax_cross_entropy_grad(z, y):
    """Return the gradient of ``cross_entropy(softmax(z), y)`` with respect to z.

    Example: for z = [2, 1, 0.1] and y = [1, 0, 0]: about
    [−0.340999, 0.242433, 0.098566].
    """
    return softmax(z) - np.asarray(y, dtype=float)


def two_layer_gradients(x, y, W1, b1, W2, b2):
    """Backpropagate through h = σ(W1·x + b1), z = W2·h + b2,
    L = cross_entropy(softmax(z), y).

    Return ``{"W1": ∂L/∂W1, "b1": ∂L/∂b1, "W2": ∂L/∂W2, "b2": ∂L/∂b2}``,
    each an array of its parameter's shape.

    Example: x = [1, 2], y = [0, 1, 0], W1 = [[0.1, −0.2], [0.4, 0.3]],
    b1 = [0, 0.1], W2 = [[0.5, −0.3], [0.2, 0.8], [−0.6, 0.1]],
    b2 = [0, 0, 0] give ∂L/∂b2 ≈ [0.259450, −0.478775, 0.219325] and
    ∂L/∂b1 ≈ [−0.023865, −0.082241].
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    W1, b1 = np.asarray(W1, dtype=float), np.asarray(b1, dtype=float)
    W2, b2 = np.asarray(W2, dtype=float), np.asarray(b2, dtype=float)
    h = 1.0 / (1.0 + np.exp(-(W1 @ x + b1)))
    dz = softmax(W2 @ h + b2) - y
    dh = W2.T @ dz
    da = np.zeros_like(dh)
    for j in range(len(h)):
        s = 1.0 / (1.0 + np.exp(-h[j]))   # the sigmoid's slope at this unit
        da[j] = dh[j] * s * (1 - s)
    return {"W1": np.outer(da, x), "b1": da, "W2": np.outer(dz, h), "b2": dz}
