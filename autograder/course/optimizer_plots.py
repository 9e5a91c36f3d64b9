"""Assignment 2's pictures: gradient descent, momentum and Nesterov on the
sigmoid neuron's loss from its flat start (−2, −2); AdaGrad, RMSProp and
Adam on the narrow bowl 0.1·x₁² + 2·x₂²; stochastic gradient descent on
the neuron.  The reference runs are the course's own update rules;
each student function given is run on the same problem and its path is
drawn beside its reference (dashed, in the same colour).  Built like
:mod:`autograder.course.plots`, whose drawing kit they use: they teach in the
student's kernel, never grade."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from autograder.course.calculus import neuron
from autograder.course.optimizers import adaptive, minibatch, momentum
from autograder.course.optimizers.iterates import (Optimiser, Problem, neuron_loss, run,
                                                   separable_bowl)
from autograder.course.plots import (Given, Missing, Path2D, Plot, as_floats, as_points,
                                     call_quietly, draw_cases, judged_cases, mark_contradiction,
                                     new_figure,
                                     surface)

NEURON_BOX = (-6.0, 6.0, -6.0, 6.0)
BOWL_BOX = (-6.0, 2.0, -2.5, 2.5)
BOWL_START = (-5.0, -2.0)


@dataclass(frozen=True)
class Method:
    """One optimiser drawn: its legend, the course's rule (``optimiser``;
    None for plain gradient descent, which no student function of this
    assignment computes), its hyperparameters and its colour."""
    label: str
    optimiser: Optimiser | None
    hp: dict
    colour: str

    @property
    def step(self):
        return self.optimiser.rule.step if self.optimiser else momentum.momentum_step

    @property
    def hyperparameters(self) -> dict:
        return self.hp if self.optimiser else {**self.hp, "beta": 0.0}   # momentum without β


def _paths(problem: Problem, x0, steps: int, methods: Sequence[Method],
           students: dict[str, Callable | None]) -> tuple[list[Path2D], list[str]]:
    """Each method's reference path, and the student's beside it where
    their function is given; notes on the functions that could not draw."""
    paths, notes = [], []
    for method in methods:
        reference = run(method.step, problem, x0, method.hyperparameters, steps)
        paths.append(Path2D(f"{method.label}: loss {problem.value(reference[-1]):.2g}",
                            [tuple(x) for x in reference], method.colour))
        name = method.optimiser.function if method.optimiser else None
        student = students.get(name) if name else None
        if student is None:
            continue
        arguments = [steps if p == "steps" else method.hp[p] for p in method.optimiser.params]
        value, why = call_quietly(student, Given(problem.grad, problem.fn),
                                  np.array(x0, dtype=float), *arguments)
        mine = as_points(value, steps, 2) if value is not None else None
        if mine is None:
            notes.append(f"your {name}: {why or f'did not return {steps + 1} points (w, b)'}")
            continue
        ending = problem.value(mine[-1]) if np.all(np.isfinite(mine[-1])) else float("nan")
        paths.append(Path2D(f"your {name}: loss {ending:.2g}", mine, method.colour, "x--"))
    return paths, notes


def _finish(figure, ax, caption: str, notes: list[str]) -> Plot:
    figure.suptitle(caption)
    if notes:
        ax.set_title("; ".join(notes), fontsize=9)
    return Plot(figure, caption)


def show_flat_start(momentum_descent: Callable | None = None,
                    nesterov_descent: Callable | None = None,
                    epochs: int = 100) -> Plot | Missing:
    """Gradient descent, momentum and Nesterov on the neuron's loss from
    the flat start (−2, −2), η = 1 (β = 0.9): the student's
    ``momentum_descent`` and ``nesterov_descent`` beside their references."""
    caption = f"{epochs} epochs from the flat start (−2, −2) of the neuron's loss"
    figure = new_figure(7.0, 5.4)
    if figure is None:
        return Missing(caption)
    ax = figure.subplots()
    methods = (Method("gradient descent, η = 1", None, {"learning_rate": 1.0}, "white"),
               Method("momentum, β = 0.9", momentum.MOMENTUM,
                      {"learning_rate": 1.0, "beta": 0.9}, "tab:orange"),
               Method("Nesterov, β = 0.9", momentum.NESTEROV,
                      {"learning_rate": 1.0, "beta": 0.9}, "magenta"))
    problem = neuron_loss(neuron.X, neuron.Y)
    paths, notes = _paths(problem, neuron.START, epochs, methods,
                          {"momentum_descent": momentum_descent,
                           "nesterov_descent": nesterov_descent})
    surface(ax, lambda w, b: problem.value((w, b)), NEURON_BOX, paths, start=neuron.START,
            log=True)
    return _finish(figure, ax, caption, notes)


def show_narrow_bowl(adagrad: Callable | None = None, rmsprop: Callable | None = None,
                     adam: Callable | None = None, steps: int = 20) -> Plot | Missing:
    """Gradient descent, AdaGrad, RMSProp and Adam on the bowl
    0.1·x₁² + 2·x₂² from (−5, −2), η = 0.4: the student's functions beside
    their references."""
    caption = f"{steps} steps on the narrow bowl 0.1·x₁² + 2·x₂² from (−5, −2), η = 0.4"
    figure = new_figure(7.5, 5.0)
    if figure is None:
        return Missing(caption)
    ax = figure.subplots()
    rate = {"learning_rate": 0.4}
    methods = (Method("gradient descent", None, rate, "white"),
               Method("AdaGrad", adaptive.ADAGRAD, rate, "tab:orange"),
               Method("RMSProp, β = 0.9", adaptive.RMSPROP, {**rate, "beta": 0.9}, "magenta"),
               Method("Adam, β₁ = 0.9, β₂ = 0.999", adaptive.ADAM,
                      {**rate, "beta1": 0.9, "beta2": 0.999}, "tab:cyan"))
    problem = separable_bowl((0.1, 2.0), (0.0, 0.0))
    paths, notes = _paths(problem, BOWL_START, steps, methods,
                          {"adagrad": adagrad, "rmsprop": rmsprop, "adam": adam})
    surface(ax, lambda a, b: problem.value((a, b)), BOWL_BOX, paths, start=BOWL_START,
            log=True, labels=("x₁", "x₂"), colourbar="f(x)", legend="lower right")
    return _finish(figure, ax, caption, notes)


def show_minibatch(minibatch_train: Callable | None = None, batch_size: int = 1,
                   checkpoints: Sequence[int] = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
                   seed: int | None = None) -> Plot | Missing:
    """Where stochastic gradient descent (``batch_size`` 1) on the neuron's
    two points ends after 0, 1, 2, 5, … epochs from (−2, −2), η = 1: the
    student's ``minibatch_train`` beside the reference; and, given the
    student's function, every case its check judges for ``seed`` (other
    data sets and batch sizes), each right or off by how much.  A run on
    two points in batches of 1 cannot show a mistake with the last, shorter
    batch: the cases can."""
    caption = f"mini-batch training, batch size {batch_size}, after more and more epochs"
    figure = new_figure(13.0, 7.0) if minibatch_train is not None else new_figure(7.0, 5.4)
    if figure is None:
        return Missing(caption)
    if minibatch_train is not None:
        figure.set_layout_engine("constrained")
        ax, cases_ax = figure.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
    else:
        ax, cases_ax = figure.subplots(), None
    (w0, b0), xs, ys = neuron.START, list(minibatch.X), list(minibatch.Y)
    reference = [tuple(minibatch.train(w0, b0, xs, ys, 1.0, e, batch_size))
                 for e in checkpoints]
    paths, notes = [Path2D("reference", reference, "white")], []
    if minibatch_train is not None:
        mine = []
        # Every call first (so that all are known before any answer).
        answers = [call_quietly(minibatch_train, w0, b0, list(xs), list(ys), 1.0, epochs,
                                batch_size) for epochs in checkpoints]
        for epochs, (value, why) in zip(checkpoints, answers):
            pair = as_floats(value, 2) if value is not None else None
            if pair is None:
                notes.append(f"your minibatch_train: {why or 'did not return (w, b)'} "
                             f"at {epochs} epochs")
                break
            mine.append(tuple(pair))
        paths.append(Path2D("your minibatch_train", mine, "tab:orange", "x--"))
        check, rows = judged_cases(minibatch_train, minibatch.EXERCISE, "minibatch_train",
                                   seed, minibatch.TOLERANCE)
        draw_cases(cases_ax, rows, check.points)
        mark_contradiction(ax, mine, reference, len(checkpoints), rows, minibatch.TOLERANCE)
    surface(ax, lambda w, b: neuron.loss(w, b, xs, ys), NEURON_BOX, paths,
            start=neuron.START, log=True)
    return _finish(figure, ax, caption, notes)
