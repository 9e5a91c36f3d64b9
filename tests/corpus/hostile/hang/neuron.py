"""Hostile: train spins for up to 60 s (a busy loop that ends by itself);
everything else is correct."""

import time

import numpy as np

X = [0.5, 2.5]
Y = [0.2, 0.9]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def predict(w, b, x):
    return sigmoid(w * x + b)


def loss(w, b, xs, ys):
    return float(0.5 * sum((predict(w, b, x) - y) ** 2 for x, y in zip(xs, ys)))


def gradients(w, b, xs, ys):
    dw = db = 0.0
    for x, y in zip(xs, ys):
        fx = predict(w, b, x)
        delta = (fx - y) * fx * (1 - fx)
        dw += delta * x
        db += delta
    return float(dw), float(db)


def train(w, b, xs, ys, learning_rate, epochs):
    t0 = time.time()
    n = 0
    while time.time() < t0 + 60:
        n += 1
    return float(w), float(b)
