"""Hostile: sweep_learning_rates prints far past the output cap (at most
64 MiB or 60 s, whichever comes first); update_weights is correct."""

import time


def update_weights(weights, gradients, learning_rate):
    return [float(w - learning_rate * g) for w, g in zip(weights, gradients)]


def sweep_learning_rates(weights, gradients, learning_rates):
    t0 = time.time()
    line = "flood " * 170
    for _ in range(64 * 1024):          # 1 KiB a line: 64 MiB at most
        if time.time() > t0 + 60:
            break
        print(line)
    return {rate: update_weights(weights, gradients, rate) for rate in learning_rates}
