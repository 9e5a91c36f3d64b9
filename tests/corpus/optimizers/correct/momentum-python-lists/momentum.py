"""Plain Python: numbers stay floats, vectors are lists updated component
by component."""


def _as_list(x):
    return [float(v) for v in x] if hasattr(x, "__len__") else None


def momentum_descent(grad, x0, learning_rate, beta, steps):
    if _as_list(x0) is None:
        x, u, xs = float(x0), 0.0, [float(x0)]
        for _ in range(steps):
            u = beta * u + learning_rate * grad(x)
            x = x - u
            xs.append(x)
        return xs
    x = _as_list(x0)
    u = [0.0] * len(x)
    xs = [list(x)]
    for _ in range(steps):
        g = grad(x)
        u = [beta * ui + learning_rate * gi for ui, gi in zip(u, g)]
        x = [xi - ui for xi, ui in zip(x, u)]
        xs.append(list(x))
    return xs


def nesterov_descent(grad, x0, learning_rate, beta, steps):
    if _as_list(x0) is None:
        x, u, xs = float(x0), 0.0, [float(x0)]
        for _ in range(steps):
            u = beta * u + learning_rate * grad(x - beta * u)
            x = x - u
            xs.append(x)
        return xs
    x = _as_list(x0)
    u = [0.0] * len(x)
    xs = [list(x)]
    for _ in range(steps):
        g = grad([xi - beta * ui for xi, ui in zip(x, u)])
        u = [beta * ui + learning_rate * gi for ui, gi in zip(u, g)]
        x = [xi - ui for xi, ui in zip(x, u)]
        xs.append(list(x))
    return xs
