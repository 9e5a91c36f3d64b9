"""Assignment 2, ``optimizers``: the four exercises of the contract, as
data, in lesson order (momentum, minibatch, adaptive, backprop)."""

from autograder.course.optimizers import adaptive, backprop, minibatch, momentum

EXERCISES = (momentum.EXERCISE, minibatch.EXERCISE, adaptive.EXERCISE, backprop.EXERCISE)
MODULES = tuple(e.module for e in EXERCISES)


def misconceptions():
    """Every misconception the grader recognises in this assignment, with
    its exercise and check."""
    for exercise in EXERCISES:
        for check in exercise.checks:
            for m in check.misconceptions:
                yield exercise.module, check.name, m
