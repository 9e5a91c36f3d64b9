"""A while loop over the batch starts, a list returned, math.exp."""
import math

X = [0.5, 2.5]
Y = [0.2, 0.9]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def minibatch_train(w, b, xs, ys, learning_rate, epochs, batch_size):
    n = len(xs)
    for epoch in range(epochs):
        i = 0
        while i < n:
            batch = range(i, min(i + batch_size, n))
            gw = 0.0
            gb = 0.0
            for j in batch:
                s = sigmoid(w * float(xs[j]) + b)
                gb += (s - ys[j]) * s * (1 - s)
                gw += (s - ys[j]) * s * (1 - s) * xs[j]
            w -= learning_rate * gw
            b -= learning_rate * gb
            i += batch_size
    return [float(w), float(b)]
