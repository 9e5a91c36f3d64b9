"""Grade assignment-2 code in this process, for tests that need many seeds
fast: each probe's arguments go through the worker's own decoding, the
student function's value through the worker's encoding and the grader's
decoding, exactly as across the sandbox's wall (only the wall is missing:
use it for trusted code only)."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import sympy

from autograder.sandbox import worker as child
from autograder.sandbox.protocol import ProbeResult, decode_value


def load(path, name="student"):
    spec = importlib.util.spec_from_file_location(f"inprocess_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def encoded(value) -> ProbeResult:
    """What the grader reads when student code returns ``value``."""
    return ProbeResult("value", decode_value(child._encode(value, np, sympy)))


def call(module, probe) -> ProbeResult:
    data = json.loads(json.dumps(probe.to_json()))
    args = [child._decode_arg(a, np, sympy) for a in data["args"]]
    kwargs = {k: child._decode_arg(v, np, sympy) for k, v in data["kwargs"].items()}
    with np.errstate(all="ignore"):
        try:
            value = getattr(module, data["fn"])(*args, **kwargs)
        except Exception as exc:   # noqa: BLE001 - reported like the worker does
            return ProbeResult("error", error_type=type(exc).__name__, error_message=str(exc))
    return encoded(value)


def judge(check, cases, module):
    results = [[call(module, p) for p in case.probes] for case in cases]
    return check.judge(check, cases, results)
