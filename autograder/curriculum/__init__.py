"""The four exercises of the contract, as data, in lesson order."""

from . import derivatives, gradient_descent, neuron, weight_updates

EXERCISES = (derivatives.EXERCISE, gradient_descent.EXERCISE, weight_updates.EXERCISE,
             neuron.EXERCISE)
MODULES = tuple(e.module for e in EXERCISES)


def misconceptions():
    """Every misconception the grader recognises, with its exercise and check."""
    for exercise in EXERCISES:
        for check in exercise.checks:
            for m in check.misconceptions:
                yield exercise.module, check.name, m
