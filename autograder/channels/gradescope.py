"""Gradescope autograder zips: the same grader, run in Gradescope's containers.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once
when it builds the image (as root, with network), and for every submission
runs ``/autograder/run_autograder`` with the student's files in
``/autograder/submission``; that script must leave
``/autograder/results/results.json``.  The zip built here holds

* this package's source (``pyproject.toml`` and ``autograder/``; never the
  reference solutions or the tests: the grader computes its expected values
  itself and reads nothing else at grading time),
* ``setup.sh``: a Python >= 3.10 (from apt when missing), a virtual
  environment in ``/autograder/venv`` with the bundled package and its
  dependencies from PyPI, and the grader's files made unreadable to the
  unprivileged user that runs student code,
* ``run_autograder``: hands the submission to ``python -m autograder grade``,
  whose intake (:mod:`autograder.intake.submission`) finds the modules as every channel
  does (at the top, one folder down, notebooks, a zip), with the assignment
  and settings fixed when the zip was built; the script only makes sure a
  results.json is left even when the grader cannot start.

The assignment and the seed are fixed at build time so that every student of the course gets the
same hidden inputs and a regrade is identical.  ``AUTOGRADER_ROOT`` (default
``/autograder``) and ``AUTOGRADER_PYTHON`` (default the venv's python) let the
scripts run outside Gradescope, which is how the tests exercise them.

Everything here is a pure function of its arguments except :func:`build`,
which writes the zip atomically.
The scripts are string constants rather than package data files: they travel
with the code that fills them in, need no packaging configuration, and the
bundle cannot lose them.
"""

from __future__ import annotations

import io
import re
import shlex
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.engine.config import Limits
from autograder.course import DEFAULT, assignment
from autograder.channels.report import write_atomic

ROOT_ENV = "AUTOGRADER_ROOT"
PYTHON_ENV = "AUTOGRADER_PYTHON"
PACKAGE = "autograder"
# Never bundled: caches and build leftovers inside the package folder.
SKIP_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache"}
SKIP_SUFFIXES = (".pyc", ".pyo")


class BuildError(ValueError):
    """The zip cannot be built; the message says what to do instead."""


@dataclass(frozen=True)
class Baked:
    """The assignment and settings every submission is graded with, fixed
    in the zip (or in the GitHub Classroom workflow)."""
    seed: int
    limits: Limits
    assignment: str = DEFAULT

    def grade_arguments(self) -> list[str]:
        # Exact values (bytes, repr of the seconds) so nothing is rounded away.
        return ["--assignment", self.assignment,
                "--seed", str(self.seed), "--timeout", repr(float(self.limits.time_seconds)),
                "--memory", str(self.limits.memory_bytes),
                "--output", str(self.limits.output_bytes)]

    def describe(self) -> str:
        return (f"assignment {self.assignment}, seed {self.seed}, "
                f"{self.limits.time_seconds:g} s, "
                f"{self.limits.describe_memory()} memory, {self.limits.describe_output()} "
                "output per exercise")


# ------------------------------------------------------------------ checks

def check_out(out: Path) -> Path:
    """Where the zip goes: a .zip file in an existing folder."""
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise BuildError(f"{out}: not a .zip file name; Gradescope takes a zip, "
                         f"give e.g. {out.with_suffix('.zip').name}")
    if not out.parent.resolve().is_dir():
        raise BuildError(f"{out}: folder {out.parent} does not exist; create it first "
                         "or give another path")
    if out.is_dir():
        raise BuildError(f"{out}: is a folder; give the path of the zip file to write")
    return out


def source_tree(package_dir: Path | None = None) -> Path:
    """The checkout this package is installed from (``pip install -e .``):
    the folder holding ``pyproject.toml`` and ``autograder/``."""
    package_dir = Path(package_dir or Path(__file__).resolve().parents[1])
    checkout = package_dir.parent
    if not (checkout / "pyproject.toml").is_file():
        raise BuildError(f"{package_dir} is an installed copy with no pyproject.toml beside "
                         "it; build the zip from a checkout of the course repository "
                         "(pip install -e . there, then run this command)")
    return checkout


# ---------------------------------------------------------------- contents

def package_files(checkout: Path) -> list[tuple[str, Path]]:
    """``(name in the zip, file)`` for the package source: pyproject.toml and
    every file of ``autograder/`` (no caches), in a stable order."""
    checkout = Path(checkout)
    files = [("pyproject.toml", checkout / "pyproject.toml")]
    for path in sorted((checkout / PACKAGE).rglob("*")):
        rel = path.relative_to(checkout)
        if (not path.is_file() or SKIP_PARTS & set(rel.parts)
                or path.name.endswith(SKIP_SUFFIXES)):
            continue
        files.append((rel.as_posix(), path))
    return files


def readme_text(baked: Baked, version: str) -> str:
    """The bundle's README.md (pyproject.toml names one; the repository's own
    is not bundled: it is for people, and quotes the solution markers)."""
    course = assignment(baked.assignment)
    return (f"# calculus-autograder {version}, Gradescope bundle: {course.name}\n\n"
            f"Grades assignment {course.name} ({course.title}): students upload\n"
            f"{_files(baked)} (or the classroom's notebooks of the\n"
            "same names, in one folder or a zip).\n\n"
            "Built by `python -m autograder gradescope`. Gradescope runs `setup.sh` once\n"
            "and `run_autograder` for every submission, grading with "
            f"{baked.describe()}.\n")


SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# Generated by `python -m autograder gradescope` (calculus-autograder @VERSION@).
set -euo pipefail
SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${AUTOGRADER_ROOT:-/autograder}"
VENV="$ROOT/venv"

# A Python >= 3.10 that can make virtual environments.
find_python() {
    local candidate
    for candidate in python3 python3.13 python3.12 python3.11 python3.10; do
        if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
            'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

if ! PYTHON="$(find_python)"; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-venv python3-pip
    if ! PYTHON="$(find_python)"; then
        # An older Ubuntu (20.04 ships Python 3.8): Python 3.11 from deadsnakes.
        apt-get install -y --no-install-recommends software-properties-common
        add-apt-repository -y ppa:deadsnakes/ppa
        apt-get update
        apt-get install -y --no-install-recommends python3.11 python3.11-venv
        PYTHON="$(find_python)" || {
            echo "setup.sh: no Python 3.10 or newer could be installed;" \
                 "choose a newer Ubuntu base image in Gradescope's autograder settings" >&2
            exit 1
        }
    fi
fi

"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install --upgrade pip
# A regular (not editable) install: the grader then runs from site-packages.
"$VENV/bin/python" -m pip install "$SOURCE"
# -I: import the installed package, not the source folder.
PACKAGE_DIR="$(cd / && "$VENV/bin/python" -I -c \
    'import os, autograder; print(os.path.dirname(autograder.__file__))')"

# Student code runs as an unprivileged user: the grader's files (and its
# reference computations) are for root only. The libraries stay readable.
chmod -R go-rwx "$SOURCE" "$PACKAGE_DIR"
echo "setup.sh: the grader is installed in $VENV"
"""


RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission.
# Generated by `python -m autograder gradescope` (calculus-autograder @VERSION@):
# every submission is graded with @DESCRIBE@,
# so all students get the same hidden inputs and a regrade is identical.
# The grader finds the modules itself (at the top of the submission, one
# folder down, notebooks, a zip) and writes results.json, a zero with the
# reason when nothing can be graded; this script only covers a grader that
# could not start.
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PYTHON="${AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}"
SUBMISSION="$ROOT/submission"
RESULTS="$ROOT/results/results.json"
SETTINGS=(@SETTINGS@)
SEED=@SEED@

mkdir -p "$ROOT/results"
rm -f "$RESULTS"
echo "Grading @FILES@ in $SUBMISSION"

# A fresh, empty working folder: no pyproject.toml there can change a setting.
WORK="$(mktemp -d)"
(cd "$WORK" && "$PYTHON" -m autograder grade "$SUBMISSION" --json "$RESULTS" "${SETTINGS[@]}")
STATUS=$?
rm -rf "$WORK"
if [ ! -s "$RESULTS" ]; then
    # A fixed text: nothing the student chose goes into it.
    REASON="Not graded: the grader stopped (exit status $STATUS) before writing results."
    REASON="$REASON This is not your fault; please tell your instructor."
    printf '{"score": 0, "tests": [], "output": "%s", "extra_data": {"seed": %s}}\n' \
        "$REASON" "$SEED" > "$RESULTS.tmp" && mv -f "$RESULTS.tmp" "$RESULTS"
fi
exit 0
"""


def _fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    left = re.findall(r"@[A-Z]+@", template)
    if left:
        raise ValueError(f"unfilled placeholders in a script template: {left}")
    return template


def setup_script(version: str) -> str:
    return _fill(SETUP_SH, {"VERSION": version})


def _files(baked: Baked) -> str:
    return ", ".join(f"{m}.py" for m in assignment(baked.assignment).modules)


def run_script(baked: Baked, version: str) -> str:
    return _fill(RUN_AUTOGRADER, {
        "VERSION": version,
        "DESCRIBE": baked.describe(),
        "SETTINGS": " ".join(shlex.quote(a) for a in baked.grade_arguments()),
        "SEED": str(baked.seed),
        "FILES": _files(baked),
    })


def members(checkout: Path, baked: Baked, version: str) -> list[tuple[str, bytes, int]]:
    """Every file of the zip: ``(name, content, unix mode)``."""
    out = [(name, path.read_bytes(), 0o644) for name, path in package_files(checkout)]
    out.append(("README.md", readme_text(baked, version).encode(), 0o644))
    out.append(("setup.sh", setup_script(version).encode(), 0o755))
    out.append(("run_autograder", run_script(baked, version).encode(), 0o755))
    return out


# ------------------------------------------------------------------ write

def zip_bytes(files: list[tuple[str, bytes, int]]) -> bytes:
    """The zip of ``files``; the same files give the same bytes (fixed dates)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data, mode in files:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o100000 | mode) << 16   # a regular file, its mode
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buffer.getvalue()


def build(out: Path, *, baked: Baked, checkout: Path | None = None) -> Path:
    """Check ``out``, gather the files and write the zip; returns ``out``."""
    from importlib.metadata import PackageNotFoundError, version as dist_version
    out = check_out(out)
    checkout = source_tree() if checkout is None else Path(checkout)
    try:
        version = dist_version("calculus-autograder")
    except PackageNotFoundError:
        version = "unknown"
    write_atomic(out, zip_bytes(members(checkout, baked, version)))
    return out
