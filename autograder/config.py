"""Grading settings and the one order in which they are resolved:
command line, then environment, then ``[tool.autograder]`` in the
``pyproject.toml`` of the current folder, then the contract's defaults.
Every value is validated in :func:`resolve`, and a bad one names where it
came from."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

DEFAULT_TIME_SECONDS = 10.0
DEFAULT_MEMORY_BYTES = 2 * 1024**3
DEFAULT_OUTPUT_BYTES = 1024**2

HELP = {
    "timeout": "time budget per exercise, in seconds (default 10)",
    "memory": "memory cap per exercise, e.g. 2GiB, 512MiB (default 2GiB)",
    "output": "cap on what an exercise may print, e.g. 1MiB (default 1MiB)",
    "seed": "seed of the randomised checks (default: a new one each run, printed)",
}
ENV = {"timeout": "AUTOGRADER_TIMEOUT", "memory": "AUTOGRADER_MEMORY",
       "output": "AUTOGRADER_OUTPUT", "seed": "AUTOGRADER_SEED"}


class ConfigError(ValueError):
    """A setting has a value the grader cannot use; the message says where
    it came from and what is accepted."""


@dataclass(frozen=True)
class Limits:
    time_seconds: float = DEFAULT_TIME_SECONDS
    memory_bytes: int = DEFAULT_MEMORY_BYTES
    output_bytes: int = DEFAULT_OUTPUT_BYTES

    def describe_memory(self) -> str:
        return format_bytes(self.memory_bytes)

    def describe_output(self) -> str:
        return format_bytes(self.output_bytes)


@dataclass(frozen=True)
class Settings:
    limits: Limits
    seed: int | None


_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2,
          "mib": 1024**2, "g": 1000**3, "gb": 1000**3, "gib": 1024**3}


def parse_bytes(text: Any) -> int:
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", str(text))
        if not m or m.group(2).lower() not in _UNITS:
            raise ValueError(f"{text!r} is not a size such as 2GiB, 512MiB or 1048576")
        value = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if value < 64 * 1024:
        raise ValueError(f"{text!r} is too small (at least 64KiB)")
    return value


def format_bytes(n: int) -> str:
    for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= size:
            v = n / size
            return f"{v:g} {unit}" if v == int(v) else f"{v:.1f} {unit}"
    return f"{n} bytes"


def parse_seconds(text: Any) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{text!r} is not a number of seconds") from None
    if not (0 < value <= 3600):
        raise ValueError(f"{text!r} is outside 0 < seconds <= 3600")
    return value


def parse_seed(text: Any) -> int:
    try:
        value = int(str(text), 10)
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if not (0 <= value < 2**63):
        raise ValueError(f"{text!r} is outside 0 .. 2**63-1")
    return value


_PARSERS = {"timeout": parse_seconds, "memory": parse_bytes, "output": parse_bytes,
            "seed": parse_seed}


def read_pyproject(folder: Path) -> tuple[dict, str]:
    path = folder / "pyproject.toml"
    if not path.is_file():
        return {}, str(path)
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        return {}, str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc}); fix the file or remove "
                          "its [tool.autograder] table") from None
    table = data.get("tool", {}).get("autograder", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.autograder] must be a table")
    return table, str(path)


def resolve(cli: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
            folder: Path | None = None, *, pyproject: bool = True) -> Settings:
    """Settings from the command line, the environment, pyproject.toml (of
    ``folder``, default the working directory; unless ``pyproject`` is
    false) and the defaults, in that order.  Raises ConfigError naming the
    source."""
    cli = cli or {}
    env = os.environ if env is None else env
    table, toml_path = read_pyproject(folder or Path.cwd()) if pyproject else ({}, "")
    unknown = set(table) - set(_PARSERS)
    if unknown:
        raise ConfigError(f"{toml_path}: unknown key(s) in [tool.autograder]: "
                          f"{', '.join(sorted(unknown))} (known: {', '.join(_PARSERS)})")
    values: dict[str, Any] = {}
    for key, parse in _PARSERS.items():
        for source, raw in ((f"--{key}", cli.get(key)), (ENV[key], env.get(ENV[key])),
                            (f"{toml_path} [tool.autograder] {key}", table.get(key))):
            if raw is None or raw == "":
                continue
            try:
                values[key] = parse(raw)
            except ValueError as exc:
                raise ConfigError(f"{source}: {exc} ({HELP[key]})") from None
            break
    return Settings(
        limits=Limits(time_seconds=values.get("timeout", DEFAULT_TIME_SECONDS),
                      memory_bytes=values.get("memory", DEFAULT_MEMORY_BYTES),
                      output_bytes=values.get("output", DEFAULT_OUTPUT_BYTES)),
        seed=values.get("seed"))
