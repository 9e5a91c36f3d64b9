"""The exercises of the contract, as data, in lesson order: assignment 1
(``calculus``) here, assignment 2 (``optimizers``) in the subpackage."""

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


ASSIGNMENTS = ("calculus", "optimizers")


def assignment_exercises(name: str) -> tuple:
    """The exercises of the assignment called ``name``."""
    if name == "calculus":
        return EXERCISES
    if name == "optimizers":
        from .optimizers import EXERCISES as optimizers
        return optimizers
    raise ValueError(f"no assignment {name!r} (one of {', '.join(ASSIGNMENTS)})")


def infer_assignment(folder) -> str:
    """The assignment whose modules ``folder`` holds (the first, calculus,
    when it holds none: its message then names calculus's modules)."""
    from pathlib import Path
    for name in ASSIGNMENTS:
        if any((Path(folder) / f"{e.module}.py").is_file() for e in assignment_exercises(name)):
            return name
    return ASSIGNMENTS[0]
