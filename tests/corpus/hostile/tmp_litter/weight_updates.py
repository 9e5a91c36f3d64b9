"""Hostile: leaves files in the machine's shared temporary folders (/tmp,
/dev/shm: RAM), outside the sandbox's copy, named after MARKER.  Bounded:
16 files of 60 KiB in each.  The exercise itself is correct."""

import os

MARKER = "@MARKER@"

for _folder in ("/tmp", "/dev/shm"):
    for _i in range(16):
        try:
            with open(os.path.join(_folder, f"{MARKER}-{_i}"), "wb") as _fh:
                _fh.write(b"\0" * (60 * 1024))
        except OSError:
            pass


def update_weights(weights, gradients, learning_rate):
    return [float(w - learning_rate * g) for w, g in zip(weights, gradients)]


def sweep_learning_rates(weights, gradients, learning_rates):
    return {rate: update_weights(weights, gradients, rate) for rate in learning_rates}
