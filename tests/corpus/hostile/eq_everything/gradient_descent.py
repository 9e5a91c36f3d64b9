"""Hostile: returns objects that compare equal to everything.

gradient_descent returns a list subclass whose __eq__ is always True (with
wrong values); quadratic_grad a float subclass equal to everything (value
0); minimize_quadratic and critical_learning_rate an object equal to
everything whose __float__ gives the right answer, so only a grader that
calls float() on it, or compares it with ==, would be fooled."""


class EqList(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = None


class EqFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __lt__(self, other):
        return False

    __gt__ = __le__ = __ge__ = lambda self, other: True
    __hash__ = float.__hash__


class Anything:
    def __init__(self, value):
        self._value = value

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __float__(self):
        return float(self._value)

    def __index__(self):
        return int(self._value)

    def __abs__(self):
        return 0.0

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__
    __hash__ = object.__hash__

    def __repr__(self):
        return repr(self._value)


def gradient_descent(grad, x0, learning_rate, steps):
    return EqList([0.0] * (steps + 1))


def quadratic_grad(x):
    return EqFloat(0.0)


def minimize_quadratic(x0=10.0, learning_rate=0.1, steps=100):
    x = float(x0)
    for _ in range(steps):
        x -= learning_rate * 2 * (x - 4)
    return Anything(x)


def critical_learning_rate():
    return Anything(1.0)
