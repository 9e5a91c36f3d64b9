"""Asks for 3.2 GB at once (beyond the memory cap, which refuses it)."""
import numpy as np

X = [0.5, 2.5]
Y = [0.2, 0.9]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def minibatch_train(w, b, xs, ys, learning_rate, epochs, batch_size):
    scratch = np.ones(400_000_000)
    return float(scratch[0]) * w, b
