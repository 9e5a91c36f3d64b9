"""Hostile: ignores SIGXFSZ (the file-size signal that enforces the output
cap), then loss floods standard output and standard error until a write
fails (bounded: 64 MiB or 60 s).  Everything else is correct."""

import signal
import sys
import time

import numpy as np

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

X = [0.5, 2.5]
Y = [0.2, 0.9]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def predict(w, b, x):
    return sigmoid(w * x + b)


def loss(w, b, xs, ys):
    t0 = time.time()
    line = "flood " * 170 + "\n"
    for _ in range(64 * 1024):
        if time.time() > t0 + 60:
            break
        sys.stdout.write(line)
        sys.stdout.flush()
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
    for _ in range(epochs):
        dw, db = gradients(w, b, xs, ys)
        w, b = w - learning_rate * dw, b - learning_rate * db
    return float(w), float(b)
