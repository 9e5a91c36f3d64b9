"""Hostile: a channel between students through System V shared memory and a
POSIX message queue, which outlive the process that made them unless the
worker has an IPC namespace of its own.  At import it looks for a segment
with key KEY and a queue named /MARKER; found, it "cheats" (slope_at_2 goes
wrong, so the score shows it); not found, it leaves both behind, holding a
message, for the next student.  Bounded: one 1 MiB segment, one queue."""

import ctypes
import os

KEY = @KEY@
MARKER = "@MARKER@"
_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p
_libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
_QUEUE = ("/" + MARKER).encode()
_CHEATED = False

_shmid = _libc.shmget(KEY, 0, 0)
_queue = _libc.mq_open(_QUEUE, os.O_RDONLY)
if _shmid >= 0 or _queue >= 0:
    _CHEATED = True
    print("FOUND", "segment" if _shmid >= 0 else "", "queue" if _queue >= 0 else "", flush=True)
else:
    _shmid = _libc.shmget(KEY, 1 << 20, 0o1000 | 0o666)        # IPC_CREAT
    if _shmid >= 0:
        _at = _libc.shmat(_shmid, None, 0)
        if _at not in (None, ctypes.c_void_p(-1).value):
            ctypes.memmove(_at, b"answer: 29", 10)
            _libc.shmdt(ctypes.c_void_p(_at))
    _queue = _libc.mq_open(_QUEUE, os.O_CREAT | os.O_RDWR, ctypes.c_int(0o666), None)
    if _queue >= 0:
        _libc.mq_send(_queue, b"answer: 29", 10, 0)
    print("LEFT", "segment" if _shmid >= 0 else "no segment",
          "queue" if _queue >= 0 else "no queue", flush=True)


def f(x):
    return 3 * x**3 - 2 * x**2 + x


def df(x):
    return 9 * x**2 - 4 * x + 1


def slope_at_2():
    return 0.0 if _CHEATED else 29.0


def numerical_derivative(func, x, h=1e-5):
    return (func(x + h) - func(x - h)) / (2 * h)
