"""The course: its assignments, each a list of exercises as data, in
lesson order, one subpackage each: ``calculus/`` (assignment 1) and
``optimizers/`` (assignment 2).  Adding an assignment is one entry in
``ASSIGNMENTS``."""

from __future__ import annotations

from autograder.engine.spec import Assignment
from autograder.course import calculus as _calculus
from autograder.course import optimizers as _optimizers

EXERCISES = _calculus.EXERCISES
MODULES = _calculus.MODULES

CALCULUS = Assignment(
    "calculus", "Calculus for deep learning: derivatives, gradient descent, the sigmoid "
    "neuron", EXERCISES)
OPTIMIZERS = Assignment(
    "optimizers", "Optimizers: momentum, mini-batches, adaptive rates, cross-entropy and "
    "backprop", _optimizers.EXERCISES)

# name -> assignment, in course order; the first is every channel's default.
ASSIGNMENTS: dict[str, Assignment] = {a.name: a for a in (CALCULUS, OPTIMIZERS)}
DEFAULT = CALCULUS.name


def assignment(name: str) -> Assignment:
    """The assignment called ``name``; ValueError naming the others."""
    try:
        return ASSIGNMENTS[name]
    except KeyError:
        raise ValueError(f"no assignment {name!r} (one of {', '.join(ASSIGNMENTS)})") \
            from None


def looked_for(chosen: Assignment | None) -> tuple[Assignment, ...]:
    """The assignments a channel hands the intake: the one the user named,
    or every one in course order (the first whose modules are found is
    graded)."""
    return (chosen,) if chosen is not None else tuple(ASSIGNMENTS.values())


def misconceptions(course: Assignment = CALCULUS):
    """Every misconception the grader recognises in ``course``, with its
    exercise and check."""
    for exercise in course.exercises:
        for check in exercise.checks:
            for m in check.misconceptions:
                yield exercise.module, check.name, m
