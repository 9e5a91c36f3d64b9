"""Which hints a student asked for, as their notebooks record it.

The classroom's notebooks record each hint a student asks for as a cell
output: a ``display_data`` output (an ``execute_result`` is read the same
way) whose ``data`` has the key :data:`HINT_MIME`, holding a JSON object
``{"function": "df", "level": 2}`` (levels count from 1: a nudge first).
:func:`hints_used` reads a student's notebooks into ``{function: highest
level asked for}``; grade-class keeps that in each student's results
(``extra_data.hints``), so that the class report can be rebuilt from the
results alone.

Pure functions on notebook files or their JSON: nothing is executed, and
whatever a notebook holds that is not such a record is passed over (a
notebook is the student's file: a malformed record is skipped, never an
error).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Mapping

HINT_MIME = "application/vnd.autograder.hint+json"
MAX_NOTEBOOK_BYTES = 16 * 1024**2    # as the intake reads notebooks: larger ones are skipped
_OUTPUT_TYPES = ("display_data", "execute_result")


def hints_in(notebook: Mapping) -> dict[str, int]:
    """``{function: highest level}`` recorded in one notebook's JSON."""
    found: dict[str, int] = {}
    cells = notebook.get("cells") if isinstance(notebook, Mapping) else None
    for cell in cells if isinstance(cells, list) else ():
        outputs = cell.get("outputs") if isinstance(cell, Mapping) else None
        for output in outputs if isinstance(outputs, list) else ():
            if not (isinstance(output, Mapping) and output.get("output_type") in _OUTPUT_TYPES
                    and isinstance(output.get("data"), Mapping)):
                continue
            record = output["data"].get(HINT_MIME)
            if isinstance(record, str):          # a JSON string, as some writers store it
                try:
                    record = json.loads(record)
                except ValueError:
                    continue
            for function, level in valid_hints(
                    {record.get("function"): record.get("level")}
                    if isinstance(record, Mapping) else None).items():
                found[function] = max(level, found.get(function, 0))
    return found


def hints_used(notebooks: Iterable[Path | bytes | str]) -> dict[str, int]:
    """``{function: highest level}`` over a student's notebooks (paths, or
    their bytes or text); unreadable, oversized or non-JSON notebooks add
    nothing."""
    found: dict[str, int] = {}
    for notebook in notebooks:
        raw = notebook
        if isinstance(notebook, Path):
            try:
                if notebook.is_symlink() or notebook.stat().st_size > MAX_NOTEBOOK_BYTES:
                    continue
                raw = notebook.read_bytes()
            except OSError:
                continue
        marker = HINT_MIME.encode() if isinstance(raw, bytes) else HINT_MIME
        if marker not in raw:                     # most notebooks: no JSON parse at all
            continue
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            continue
        for function, level in hints_in(data).items():
            found[function] = max(level, found.get(function, 0))
    return found


def valid_hints(hints: object) -> dict[str, int]:
    """The well-formed entries of a ``{function: level}`` record: a
    function's name and a whole level of 1 or more."""
    if not isinstance(hints, Mapping):
        return {}
    return {f: level for f, level in hints.items()
            if isinstance(f, str) and f and isinstance(level, int)
            and not isinstance(level, bool) and level >= 1}
