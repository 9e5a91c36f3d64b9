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

# Limits and its defaults are the sandbox's; resolved here, and named from
# here by every channel.
from autograder.sandbox.limits import (DEFAULT_MEMORY_BYTES, DEFAULT_OUTPUT_BYTES,  # noqa: F401
                                       DEFAULT_TIME_SECONDS, Limits, format_bytes)

MAX_BYTES = 1024**4          # a cap beyond any machine (and within what setrlimit takes)

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
    if value > MAX_BYTES:
        raise ValueError(f"{text!r} is more than any machine can give (at most 1024GiB)")
    return value


def machine_memory() -> int | None:
    """What this machine can give a process: its physical memory, or the
    memory cap of the cgroup the grader runs in (a container's), if lower."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as fh:
            own = next((line.split(":", 2)[2].strip() for line in fh
                        if line.startswith("0::")), None)
        if own is not None:
            with open(f"/sys/fs/cgroup{own}/memory.max", encoding="utf-8") as fh:
                cap = fh.read().strip()
            if cap.isdigit():
                total = min(total, int(cap))
    except (OSError, ValueError, IndexError):
        pass
    return total if total > 0 else None


def within_machine(key: str, value: int) -> None:
    """ValueError unless a cap of ``value`` bytes can be given here."""
    total = machine_memory()
    if total is not None and value > total:
        raise ValueError(f"{format_bytes(value)} is more than this machine's "
                         f"{format_bytes(total)} of memory")


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
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: tool = {tool!r} must be a table ([tool.autograder] "
                          "holds the grader's settings)")
    table = tool.get("autograder", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.autograder] must be a table")
    return table, str(path)


def resolve(cli: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
            folder: Path | None = None, *, pyproject: bool = True,
            machine: bool = True, option_prefix: str = "--") -> Settings:
    """Settings from the command line, the environment, pyproject.toml (of
    ``folder``, default the working directory; unless ``pyproject`` is
    false) and the defaults, in that order.  With ``machine`` (when grading
    here, not when building a harness for another machine) the memory and
    output caps must also fit this machine's memory.  Raises ConfigError
    naming the source (a command-line value as ``option_prefix`` + key, the
    flag the user typed: ``--timeout``, or ``--grader-timeout`` in pytest)."""
    cli = cli or {}
    env = os.environ if env is None else env
    table, toml_path = read_pyproject(folder or Path.cwd()) if pyproject else ({}, "")
    unknown = set(table) - set(_PARSERS)
    if unknown:
        raise ConfigError(f"{toml_path}: unknown key(s) in [tool.autograder]: "
                          f"{', '.join(sorted(unknown))} (known: {', '.join(_PARSERS)})")
    values: dict[str, Any] = {}
    for key, parse in _PARSERS.items():
        for source, raw in ((f"{option_prefix}{key}", cli.get(key)), (ENV[key], env.get(ENV[key])),
                            (f"{toml_path} [tool.autograder] {key}", table.get(key))):
            if raw is None or raw == "":
                continue
            try:
                values[key] = parse(raw)
                if machine and key in ("memory", "output"):
                    within_machine(key, values[key])
            except ValueError as exc:
                raise ConfigError(f"{source}: {exc} ({HELP[key]})") from None
            break
    return Settings(
        limits=Limits(time_seconds=values.get("timeout", DEFAULT_TIME_SECONDS),
                      memory_bytes=values.get("memory", DEFAULT_MEMORY_BYTES),
                      output_bytes=values.get("output", DEFAULT_OUTPUT_BYTES)),
        seed=values.get("seed"))
