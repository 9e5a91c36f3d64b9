"""Plain Python loops over the components, math.sqrt, lists of floats
(a number stays a float); ε inside the root, in Adam too."""
import math


def _vec(x):
    try:
        return [float(v) for v in x], True
    except TypeError:
        return [float(x)], False


def _grad(grad, x, is_vec):
    g = grad(list(x) if is_vec else x[0])
    return [float(v) for v in g] if is_vec else [float(g)]


def _out(x, is_vec):
    return list(x) if is_vec else x[0]


def adagrad(grad, x0, learning_rate, steps, eps=1e-8):
    x, is_vec = _vec(x0)
    v = [0.0] * len(x)
    xs = [_out(x, is_vec)]
    for _ in range(steps):
        g = _grad(grad, x, is_vec)
        for i in range(len(x)):
            v[i] += g[i] ** 2
            x[i] -= learning_rate * g[i] / math.sqrt(v[i] + eps)
        xs.append(_out(x, is_vec))
    return xs


def rmsprop(grad, x0, learning_rate, beta, steps, eps=1e-8):
    x, is_vec = _vec(x0)
    v = [0.0] * len(x)
    xs = [_out(x, is_vec)]
    for _ in range(steps):
        g = _grad(grad, x, is_vec)
        for i in range(len(x)):
            v[i] = beta * v[i] + (1 - beta) * g[i] ** 2
            x[i] -= learning_rate * g[i] / math.sqrt(v[i] + eps)
        xs.append(_out(x, is_vec))
    return xs


def adam(grad, x0, learning_rate, beta1, beta2, steps, eps=1e-8):
    x, is_vec = _vec(x0)
    m, v = [0.0] * len(x), [0.0] * len(x)
    xs = [_out(x, is_vec)]
    for k in range(1, steps + 1):
        g = _grad(grad, x, is_vec)
        for i in range(len(x)):
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] ** 2
            m_hat = m[i] / (1 - beta1 ** k)
            v_hat = v[i] / (1 - beta2 ** k)
            x[i] -= learning_rate * m_hat / math.sqrt(v_hat + eps)
        xs.append(_out(x, is_vec))
    return xs
