"""Everything in plain Python loops over indices; lists of lists returned."""
import math


def softmax(z):
    z = [float(v) for v in z]
    top = max(z)
    e = [math.exp(v - top) for v in z]
    s = sum(e)
    return [v / s for v in e]


def cross_entropy(p, y):
    total = 0.0
    for pi, yi in zip(p, y):
        if yi > 0:
            total -= yi * math.log(pi)
    return total


def softmax_cross_entropy_grad(z, y):
    return [p - t for p, t in zip(softmax(z), y)]


def two_layer_gradients(x, y, W1, b1, W2, b2):
    x = [float(v) for v in x]
    H, K = len(b1), len(b2)
    h = []
    for j in range(H):
        a = b1[j]
        for i in range(len(x)):
            a += W1[j][i] * x[i]
        h.append(1 / (1 + math.exp(-a)))
    z = []
    for k in range(K):
        s = b2[k]
        for j in range(H):
            s += W2[k][j] * h[j]
        z.append(s)
    dz = softmax_cross_entropy_grad(z, y)
    da = []
    for j in range(H):
        s = 0.0
        for k in range(K):
            s += W2[k][j] * dz[k]
        da.append(s * h[j] * (1 - h[j]))
    return {"W1": [[da[j] * x[i] for i in range(len(x))] for j in range(H)],
            "b1": da,
            "W2": [[dz[k] * h[j] for j in range(H)] for k in range(K)],
            "b2": [float(v) for v in dz]}
