"""Hostile: the memory cap is per process.  update_weights forks six
children that each hold 320 MiB (under a 512 MiB cap, 1.9 GiB together)
for a second, waits for them, then answers correctly.  Bounded: six
children, each exits after one second."""

import os
import time

CHILDREN = 6
BLOCK = 320 * 1024 * 1024
_done = []


def _hog():
    pids = []
    for _ in range(CHILDREN):
        pid = os.fork()
        if pid == 0:
            try:
                block = b"\x01" * BLOCK            # touched: really resident
                time.sleep(1.0)
                del block
            finally:
                os._exit(0)
        pids.append(pid)
    t0 = time.time()
    for pid in pids:
        while time.time() < t0 + 30:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.01)


def update_weights(weights, gradients, learning_rate):
    if not _done:
        _done.append(True)
        _hog()
    return [float(w - learning_rate * g) for w, g in zip(weights, gradients)]


def sweep_learning_rates(weights, gradients, learning_rates):
    return {rate: update_weights(weights, gradients, rate) for rate in learning_rates}
