"""Hostile: talks to a service of the machine on 127.0.0.1 (the test
listens on PORT, loopback only).  Connected, it "cheats" (slope_at_2 goes
wrong).  Bounded: one connection attempt, 2 s at most, 5 bytes sent."""

import socket

_CHEATED = False
try:
    with socket.create_connection(("127.0.0.1", @PORT@), timeout=2) as _s:
        _s.sendall(b"hello")
        _CHEATED = True
        print("CONNECTED", flush=True)
except OSError as exc:
    print("no connection:", type(exc).__name__, flush=True)


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1


def slope_at_2():
    return 0.0 if _CHEATED else 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
