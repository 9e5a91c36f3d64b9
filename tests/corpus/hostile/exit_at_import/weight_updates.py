"""Hostile: calls sys.exit() while being imported (otherwise correct)."""

import sys

sys.exit(3)


def update_weights(weights, gradients, learning_rate):
    return [float(w - learning_rate * g) for w, g in zip(weights, gradients)]


def sweep_learning_rates(weights, gradients, learning_rates):
    return {rate: update_weights(weights, gradients, rate) for rate in learning_rates}
