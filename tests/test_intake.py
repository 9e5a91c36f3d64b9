"""What a hostile class hands in before any of its code runs: links out of
the submission, notebooks that flood or choke the grader's parsers, a
module saved as UTF-16.  One class holds them all and is graded once, by
the command line, as an instructor would (tests/corpus/hostile/ holds the
submissions; their links point to ``../../reference``, which exists only
where a test puts a copy of the reference beside the class)."""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder.course import ASSIGNMENTS
from autograder.engine.runner import grade_submission
from autograder.intake.ipynb import to_python
from autograder.intake.submission import intake
from conftest import CORPUS, ROOT, SOLUTIONS, marked_processes

HOSTILE = CORPUS / "hostile"
MODULES = ("derivatives", "gradient_descent", "weight_updates", "neuron")


def reference_beside(base: Path) -> Path:
    """``base/reference``: the copy of the reference the corpus links aim at."""
    (base / "reference").mkdir(parents=True)
    for path in SOLUTIONS.glob("*.py"):
        shutil.copyfile(path, base / "reference" / path.name)
    return base / "reference"


def student(folder: Path, *entries: str, without: tuple[str, ...] = ()) -> Path:
    """A student folder: the reference's modules (but ``without``), then
    each corpus entry's files on top (links kept as links)."""
    folder.mkdir(parents=True)
    for path in SOLUTIONS.glob("*.py"):
        if path.stem not in without:
            shutil.copyfile(path, folder / path.name)
    for entry in entries:
        shutil.copytree(HOSTILE / entry, folder, symlinks=True, dirs_exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    """(completed run, OUT, the run's TMPDIR, the processes' marker) of one
    grade-class run over every case of this file."""
    base = tmp_path_factory.mktemp("intake")
    reference_beside(base)
    root = base / "class"
    student(root / "alice")                                        # the reference: 100
    (root / "mallory").mkdir(parents=True)                         # only a link to a folder
    shutil.copytree(HOSTILE / "link_to_reference", root / "mallory", symlinks=True,
                    dirs_exist_ok=True)
    (root / "linked").mkdir()                                      # links inside
    shutil.copytree(HOSTILE / "linked_inside", root / "linked", symlinks=True,
                    dirs_exist_ok=True)
    (root / "lurker").symlink_to(base / "reference")               # the folder is a link
    student(root / "deepjson", "deep_json_notebook", without=("neuron",))
    student(root / "deepcell", "deep_cell_notebook", without=("derivatives",))
    student(root / "magic", "magic_flood_notebook", without=("weight_updates",))
    student(root / "utf16", "utf16_module", without=("derivatives",))
    # The other hostile submissions, in the same class: channels out
    # of the sandbox, and expressions that would make the grader's own work
    # unbounded.  Each is one derivatives.py beside the reference.
    for entry in SANDBOX_ENTRIES:
        student(root / entry, entry)
    before = leftovers()
    # The run's temporary folders go here (searchable by the sandbox's user).
    tmp = Path(tempfile.mkdtemp(prefix="intake-tmp-"))
    os.chmod(tmp, 0o711)
    token = secrets.token_hex(6)
    out = base / "out"
    env = {**os.environ, "TMPDIR": str(tmp), "AUTOGRADER_TEST_MARK": token}
    run = subprocess.run([sys.executable, "-m", "autograder", "grade-class", str(root),
                          "--out", str(out), "--workers", "2", "--no-progress",
                          "--timeout", "5", "--seed", "7"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    yield run, out, tmp, token, before
    shutil.rmtree(tmp, ignore_errors=True)


SANDBOX_ENTRIES = ("ipc_channel", "lock_channel", "loopback", "proc_cmdline", "read_class",
                   "workdir_flood", "expand_bomb", "power_tower")


def leftovers() -> tuple:
    """What a run could leave on the machine besides processes and
    temporary folders: SysV shared memory segments and files in the lock
    folders."""
    ipcs = subprocess.run(["ipcs", "-m"], capture_output=True, text=True).stdout \
        if shutil.which("ipcs") else ""
    segments = sorted(line.split()[1] for line in ipcs.splitlines()
                      if line[:2] == "0x" and len(line.split()) > 1)
    locks = sorted(str(p) for folder in ("/run/lock", "/var/lock") if os.path.isdir(folder)
                   for p in Path(folder).iterdir())
    return segments, locks


def rows(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="") as fh:
        return {r["student"]: r for r in csv.DictReader(fh)}


def feedback(out: Path, name: str) -> str:
    return (out / name / "feedback.txt").read_text(encoding="utf-8")


def test_a_hostile_class_finishes_with_every_row_and_leaves_nothing_behind(hostile_class):
    run, out, tmp, token, before = hostile_class
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(rows(out)) == sorted(["alice", "deepcell", "deepjson", "linked", "lurker",
                                        "magic", "mallory", "utf16", *SANDBOX_ENTRIES])
    assert rows(out)["alice"]["total"] == "100"
    for name in SANDBOX_ENTRIES:     # only their derivatives.py is hostile
        assert float(rows(out)[name]["total"]) >= 75, (name, rows(out)[name])
    assert leftovers() == before
    for name in rows(out):
        json.loads((out / name / "results.json").read_text(encoding="utf-8"))
    assert (out / "checks.csv").is_file() and (out / "misconceptions.csv").is_file()
    assert not (out / ".grade-class.lock").exists()
    assert list(tmp.iterdir()) == []                 # no temporary folder left
    deadline = time.monotonic() + 10                 # (processes killed are reaped async)
    while marked_processes(token) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marked_processes(token) == []


def test_nothing_a_submission_links_to_is_graded(hostile_class, sandbox, tmp_path):
    _, out, _, _, _ = hostile_class
    by = rows(out)
    # A folder holding only a link to the reference: 100 before, now not graded.
    assert by["mallory"]["total"] == "0"
    assert by["mallory"]["status"].startswith("not gradable: repo is a symbolic link")
    assert by["lurker"]["total"] == "0" and "symbolic link" in by["lurker"]["status"]
    # Links inside a submission: a linked folder, a linked file, linked modules.
    assert by["linked"]["total"] == "0"
    text = feedback(out, "linked")
    assert "No module named 'ref'" in text                          # the linked folder
    assert "answer.txt" in text                                     # the linked file
    assert "weight_updates.py is a symbolic link" in text           # the linked modules
    assert "neuron.ipynb is a symbolic link" in text
    # `grade` (and so run_autograder) and `pytest --submission` read the same.
    reference_beside(tmp_path)
    folder = tmp_path / "class" / "linked"
    folder.parent.mkdir()
    shutil.copytree(HOSTILE / "linked_inside", folder, symlinks=True)
    with intake(folder, tuple(ASSIGNMENTS.values())) as handed_in:
        result = grade_submission(handed_in.folder, handed_in.assignment, seed=7,
                                  sandbox=sandbox)
    assert result.score == 0
    plugin = subprocess.run([sys.executable, "-m", "pytest", "--submission", str(folder),
                             "-p", "no:cacheprovider", "-q"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert "16 failed" in plugin.stdout and "passed" not in plugin.stdout.splitlines()[-1]
    assert "symbolic link" in plugin.stdout


def test_a_flood_of_magics_is_read_in_one_pass(hostile_class):
    """20 000 magic lines (quadratic before: about 25 minutes); a line
    starting with % inside brackets is still Python."""
    _, out, _, _, _ = hostile_class
    assert rows(out)["magic"]["total"] == "100", feedback(out, "magic")
    cell = "%who\n" * 20000 + "two = (2\n%3\n)\n" + "!ls\n" * 20000
    lines = to_python(cell).split("\n")
    assert len(lines) == 40004
    assert lines[0] == lines[19999] == lines[20003] == "pass" and lines[20001] == "%3"


def test_a_notebook_nested_too_deeply_costs_only_its_own_exercise(hostile_class):
    _, out, _, _, _ = hostile_class
    by = rows(out)
    assert (by["deepjson"]["total"], by["deepjson"]["neuron"]) == ("70", "0")
    assert "neuron.ipynb is nested too deeply to be read (RecursionError)" in \
        feedback(out, "deepjson")
    assert (by["deepcell"]["total"], by["deepcell"]["derivatives"]) == ("75", "0")
    assert "derivatives.ipynb is nested too deeply to be read" in feedback(out, "deepcell")


def test_a_module_saved_as_utf16_says_so(hostile_class):
    _, out, _, _, _ = hostile_class
    by = rows(out)
    assert (by["utf16"]["total"], by["utf16"]["derivatives"]) == ("75", "0")
    text = feedback(out, "utf16")
    assert "derivatives.py is saved as UTF-16; save it as UTF-8" in text
    assert "null bytes" not in text
