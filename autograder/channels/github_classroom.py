"""A GitHub Classroom autograding workflow, generated from the curriculum.

GitHub Classroom grades a push with ``.github/workflows/classroom.yml``: each
``classroom-resources/autograding-command-grader@v1`` step scores its
``max-score`` when its command exits 0 and nothing otherwise, and
``classroom-resources/autograding-grading-reporter@v1`` adds the steps up.
All or nothing per step, so there is one step per *check* of the assignment
(16 for calculus, with the points of the contract), not per exercise: a
student with three of four ``gradient_descent`` checks right gets 25 of its
30 points, as on Gradescope and with ``grade``.  Each step runs ``grade .
--assignment NAME --only EXERCISE:N --strict``.  The checks and points are
read from the assignment in :mod:`autograder.course`, so they cannot
drift from the contract.

Assumptions about the course's template repository (the one students get):
the assignment's modules sit at its root, and the grader is installed from
``package_spec`` (a pip requirement: the package on an index, or
``calculus-autograder @ git+https://...`` for a repository).  The workflow
pins that spec, the assignment, the seed and limits, as the Gradescope zip
does.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

from autograder.course import assignment
from autograder.channels.gradescope import Baked

WORKFLOW = Path(".github") / "workflows" / "classroom.yml"
STEP_TIMEOUT_MINUTES = 5


class WorkflowError(ValueError):
    """The workflow cannot be written; the message says what to do."""


def steps(baked: Baked) -> list[dict]:
    """One command-grader step per check of the baked assignment, in the
    contract's order."""
    out = []
    for exercise in assignment(baked.assignment).exercises:
        for number, check in enumerate(exercise.checks, 1):
            step_id = f"{exercise.module}_{number}"
            # -I: the student's repository is the working folder, and a file of
            # theirs named random.py or json.py must not be imported by the grader.
            command = ["python", "-I", "-m", "autograder", "grade", ".", "--only",
                       f"{exercise.module}:{number}", "--strict",
                       *baked.grade_arguments()]
            points = check.points
            out.append({
                "name": f"{exercise.module}: {check.name}",
                "id": step_id,
                "uses": "classroom-resources/autograding-command-grader@v1",
                "with": {
                    "test-name": f"{exercise.module}: {check.name}",
                    "setup-command": "",
                    "command": shlex.join(command),
                    "timeout": STEP_TIMEOUT_MINUTES,
                    "max-score": int(points) if points == int(points) else points,
                },
            })
    return out


def workflow(baked: Baked, package_spec: str) -> dict:
    """The workflow as data (everything in it is JSON-compatible)."""
    graders = steps(baked)
    return {
        "name": "Autograding Tests",
        "on": ["push", "repository_dispatch"],
        "permissions": {"checks": "write", "actions": "read", "contents": "read"},
        "jobs": {"run-autograding-tests": {
            "runs-on": "ubuntu-latest",
            "if": "github.actor != 'github-classroom[bot]'",
            "steps": [
                {"name": "Checkout code", "uses": "actions/checkout@v4"},
                {"name": "Set up Python", "uses": "actions/setup-python@v5",
                 "with": {"python-version": "3.12"}},
                {"name": "Install the grader",
                 "run": f"python -m pip install {shlex.quote(package_spec)}"},
                *graders,
                {"name": "Autograding Reporter",
                 "uses": "classroom-resources/autograding-grading-reporter@v1",
                 "env": {f"{s['id'].upper()}_RESULTS": f"${{{{ steps.{s['id']}.outputs.result }}}}"
                         for s in graders},
                 "with": {"runners": ",".join(s["id"] for s in graders)}},
            ],
        }},
    }


_PLAIN_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
# Keys YAML 1.1 reads as booleans or null (GitHub's own example quotes 'on').
_SPECIAL_KEYS = {"on", "off", "yes", "no", "y", "n", "true", "false", "null"}


def _key(key: str) -> str:
    plain = _PLAIN_KEY.fullmatch(key) and key.lower() not in _SPECIAL_KEYS
    return key if plain else json.dumps(key)


def to_yaml(data, indent: int = 0) -> str:
    """Block-style YAML for JSON-compatible data. Every string value is
    written as a JSON string, which YAML reads as a double-quoted scalar, and
    every key that is not a plain word is quoted too: nothing (``on``,
    ``f'(2)``, ``${{ ... }}``, ``: ``) can be misread."""
    pad = " " * indent
    lines = []
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, (dict, list)) and value:
                lines.append(f"{pad}{_key(key)}:")
                lines.append(to_yaml(value, indent + 2))
            else:
                lines.append(f"{pad}{_key(key)}: {json.dumps(value)}")
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict) and item:
                body = to_yaml(item, indent + 2)
                lines.append(f"{pad}- {body[indent + 2:]}")
            else:
                lines.append(f"{pad}- {json.dumps(item)}")
    else:
        lines.append(pad + json.dumps(data))
    return "\n".join(lines)


def workflow_text(baked: Baked, package_spec: str) -> str:
    return ("# GitHub Classroom autograding, generated by `python -m autograder "
            "github-classroom`\n# from the curriculum's checks and points: regenerate it "
            "rather than edit it.\n# " + baked.describe() + "\n"
            + to_yaml(workflow(baked, package_spec)) + "\n")


def write_workflow(folder: Path, text: str, *, force: bool = False) -> Path:
    """``folder/.github/workflows/classroom.yml``; an existing different file
    is replaced only with ``force``."""
    from autograder.channels.report import write_atomic
    folder = Path(folder)
    if not folder.is_dir():
        raise WorkflowError(f"{folder}: no such folder; give the template repository's folder")
    path = folder / WORKFLOW
    if path.is_file() and path.read_text(encoding="utf-8") != text and not force:
        raise WorkflowError(f"{path} exists and differs; use --force to replace it "
                            "(the old one is then gone: commit it first)")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text)
    return path
