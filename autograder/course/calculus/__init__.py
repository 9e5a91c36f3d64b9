"""Assignment 1, ``calculus``: the four exercises of the contract, as
data, in lesson order (derivatives, gradient descent, weight updates, the
sigmoid neuron)."""

from autograder.course.calculus import derivatives, gradient_descent, neuron, weight_updates

EXERCISES = (derivatives.EXERCISE, gradient_descent.EXERCISE, weight_updates.EXERCISE,
             neuron.EXERCISE)
MODULES = tuple(e.module for e in EXERCISES)
