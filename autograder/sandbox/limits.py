"""What one run of student code may use: its time, memory and output caps.

The contract's defaults are here; :mod:`autograder.engine.config` resolves
an instructor's settings (command line, environment, ``pyproject.toml``)
into a :class:`Limits`.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TIME_SECONDS = 10.0
DEFAULT_MEMORY_BYTES = 2 * 1024**3
DEFAULT_OUTPUT_BYTES = 1024**2


@dataclass(frozen=True)
class Limits:
    time_seconds: float = DEFAULT_TIME_SECONDS
    memory_bytes: int = DEFAULT_MEMORY_BYTES
    output_bytes: int = DEFAULT_OUTPUT_BYTES

    def describe_memory(self) -> str:
        return format_bytes(self.memory_bytes)

    def describe_output(self) -> str:
        return format_bytes(self.output_bytes)


def format_bytes(n: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            v = n / size
            return f"{v:g} {unit}" if v == int(v) else f"{v:.1f} {unit}"
    return f"{n} bytes"
