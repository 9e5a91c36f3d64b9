"""Hostile: update_weights raises an exception whose message holds a lone
surrogate ("\ud800"), a str that no UTF-8 stream can print.  The message
reaches the feedback the CLI prints before it writes results.json.
sweep_learning_rates is correct."""


def update_weights(weights, gradients, learning_rate):
    raise ValueError("bad weights \ud800")


def sweep_learning_rates(weights, gradients, learning_rates):
    return {rate: [float(w - rate * g) for w, g in zip(weights, gradients)]
            for rate in learning_rates}
