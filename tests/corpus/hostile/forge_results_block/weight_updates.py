"""Hostile: keeps the grader from writing its results file by putting a
non-empty directory where results.json goes (the test writes the path into
RESULTS).  The exercise itself is correct."""

import os

RESULTS = "@RESULTS@"

try:
    os.makedirs(os.path.join(RESULTS, "blocker"), exist_ok=True)
    os.chmod(RESULTS, 0o755)
    print("blocked")
except OSError as exc:
    print(f"could not block: {type(exc).__name__}")


def update_weights(weights, gradients, learning_rate):
    return [float(w - learning_rate * g) for w, g in zip(weights, gradients)]


def sweep_learning_rates(weights, gradients, learning_rates):
    return {rate: update_weights(weights, gradients, rate) for rate in learning_rates}
