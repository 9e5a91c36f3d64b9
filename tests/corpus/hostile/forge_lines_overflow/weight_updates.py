"""Hostile: writes its own result line on the grader's result pipe (found
through /proc/self/fd) and ends the process before the worker can answer.
The forged answer, sent for every probe (so that no probe is missing and
the checks go on to compare), is well-formed JSON that passes the
worker-side shapes but not the grader's assumptions:
an infinite "shape" entry (JSON 1e999), which read_lines passes to int()."""

import os

FORGED = '{"i": %d, "value": {"$array": [1.0], "shape": [1e999]}}'


def _result_pipes():
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            if fd > 2 and os.readlink(f"/proc/self/fd/{fd}").startswith("pipe:"):
                yield fd
        except OSError:
            pass


def update_weights(weights, gradients, learning_rate):
    for fd in list(_result_pipes()):
        try:
            for i in range(4096):
                os.write(fd, (FORGED % i).encode() + b"\n")
        except OSError:
            pass
    os._exit(0)


def sweep_learning_rates(weights, gradients, learning_rates):
    return {rate: [float(w - rate * g) for w, g in zip(weights, gradients)]
            for rate in learning_rates}
