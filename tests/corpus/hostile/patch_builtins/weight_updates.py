"""Hostile: replaces builtins at import (isinstance, float, abs, round,
all, any, len) with versions that would make an in-process comparison
accept anything, and update_weights does gradient *ascent*."""

import builtins

_float = float


class _AnyFloat(_float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = _float.__hash__


builtins.isinstance = lambda obj, cls: True
builtins.float = _AnyFloat
builtins.abs = lambda x: 0.0
builtins.round = lambda x, n=None: 0
builtins.all = lambda iterable: True
builtins.any = lambda iterable: True


def update_weights(weights, gradients, learning_rate):
    return [float(w + learning_rate * g) for w, g in zip(weights, gradients)]


def sweep_learning_rates(weights, gradients, learning_rates):
    return {rate: update_weights(weights, gradients, rate) for rate in learning_rates}
