"""Shared fixtures: one fork server for each test process, submissions
assembled from the reference solutions plus overrides, and the order in
which the suite's processes take the tests (see ``pytest_collection_modifyitems``)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from autograder.engine.config import Limits
from autograder.course import CALCULUS
from autograder.engine.runner import grade_submission
from autograder.sandbox.client import Sandbox
from browser import browser  # noqa: F401  (the fixture: one Chromium a test process)

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions" / "calculus"
EXERCISES = ROOT / "exercises" / "calculus"
# Assignment 2's reference solutions and stubs.
OPTIMIZERS = ROOT / "solutions" / "optimizers"
OPTIMIZER_STUBS = ROOT / "exercises" / "optimizers"
CORPUS = Path(__file__).resolve().parent / "corpus"
SEED = 20261122


@pytest.fixture(scope="session")
def sandbox():
    """The fork server of this test process (one per pytest-xdist worker)."""
    with Sandbox() as box:
        yield box


@pytest.fixture
def submission(tmp_path):
    """``submission(overrides)``: a folder holding the reference solutions,
    with each ``{module: source}`` or ``{module: Path}`` of ``overrides``
    replacing (or, with source None, removing) that module."""
    def make(overrides: dict | None = None, base: Path = SOLUTIONS) -> Path:
        folder = tmp_path / "submission"
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        for path in base.glob("*.py"):
            shutil.copyfile(path, folder / path.name)
        for module, source in (overrides or {}).items():
            target = folder / f"{module}.py"
            if source is None:
                target.unlink(missing_ok=True)
            elif isinstance(source, Path):
                shutil.copyfile(source, target)
            else:
                target.write_text(source, encoding="utf-8")
        return folder
    return make


@pytest.fixture
def grade(sandbox):
    """``grade(folder, only=None, limits=None, seed=SEED)``: assignment 1
    (``course=`` another) with the shared sandbox."""
    def run(folder: Path, only=None, limits: Limits | None = None, seed: int = SEED,
            course=CALCULUS):
        return grade_submission(folder, course, seed=seed, limits=limits or Limits(),
                                only=only, sandbox=sandbox)
    return run


def marked_processes(token: str) -> list[int]:
    """Processes whose environment holds ``AUTOGRADER_TEST_MARK=token``: all
    that a grader started with that variable set (its pool processes, fork
    servers and whatever they start) and that are still running."""
    needle = f"AUTOGRADER_TEST_MARK={token}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = next((line for line in (entry / "status").read_text().splitlines()
                          if line.startswith("State:")), "")
        except OSError:
            continue
        if needle in environ.split(b"\0") and "zombie" not in state:
            found.append(int(entry.name))
    return found


# ------------------------------------------------- the corpus' recorded verdicts

def pytest_addoption(parser):
    parser.addoption("--record-verdicts", action="store_true",
                     help="write the corpus' verdicts (tests/corpus/**/verdicts.json) "
                          "instead of holding the grader to them")


def hold_to_record(config, record: Path, verdicts: dict[str, list]) -> None:
    """Every corpus submission's verdicts (per check: exercise, check,
    outcome, score, misconception named) must be those recorded in
    ``record``: a change to the grader's structure must change no grade.
    ``pytest --record-verdicts`` writes the record instead (after a change
    that means to change grades; the diff then shows which).  Hostile
    entries were recorded as root: without root they are graded with
    isolation gaps, and are left out."""
    verdicts = {name: [list(check) for check in sig] for name, sig in sorted(verdicts.items())}
    if config.getoption("--record-verdicts"):
        record.write_text(_one_check_a_line(verdicts), encoding="utf-8")
        return
    recorded = json.loads(record.read_text(encoding="utf-8"))
    if os.getuid() != 0:
        verdicts = {k: v for k, v in verdicts.items() if not k.startswith("hostile/")}
        recorded = {k: v for k, v in recorded.items() if not k.startswith("hostile/")}
    changed = [f"{name}:\n  recorded {recorded.get(name)}\n  now      {verdicts.get(name)}"
               for name in sorted(set(verdicts) | set(recorded))
               if verdicts.get(name) != recorded.get(name)]
    assert not changed, (f"{len(changed)} corpus verdicts differ from {record.name} "
                         "(run pytest --record-verdicts if the change is meant):\n"
                         + "\n".join(changed[:20]))


def _one_check_a_line(verdicts: dict[str, list]) -> str:
    entries = [f" {json.dumps(name)}: [\n" + ",\n".join("  " + json.dumps(c) for c in checks)
               + "\n ]" for name, checks in verdicts.items()]
    return "{\n" + ",\n".join(entries) + "\n}\n"


# --------------------------------------------------- the suite on two workers

# tests/pytest.ini runs the suite on two pytest-xdist workers.  A module
# whose module-scoped fixture is expensive runs whole on one worker (its
# fixture is built once, not once per worker); every other test goes on
# its own to whichever worker is free.
SHARED_SET_UP = {
    "test_nbgrader.py": "nbgrader-course",       # the whole nbgrader term
    "test_seed_sweep.py": "seed-sweep",           # the corpus under 50 seeds
    "test_intake.py": "hostile-class",            # one grade-class run of the hostile class
    "test_batch.py": "graded-class",              # one grade_class run, shared
    "test_gradescope.py": "gradescope-zip",       # the zip, built by the CLI
    "test_github_classroom.py": "workflow",       # the workflow, generated by the CLI
}
# The workers take the tests in this order: the longest set-ups and tests
# first, so that they overlap instead of one of them running alone at the
# end; then everything else, as collected.  A name is a module's file or a
# test's node id without its parameters.
LONGEST_FIRST = (
    "test_nbgrader.py",
    "test_seed_sweep.py",
    "test_optimizers_checks.py::test_the_seed_changes_no_corpus_grade",
    "test_intake.py",
    "test_batch.py",
    "test_github_classroom.py",
    "test_hostile.py::test_kill_all_spares_a_concurrent_grading",
    "test_hostile.py::test_grade_class_goes_on_past_an_expression_too_large_to_decide",
    "test_hostile.py::test_grader_side_work_on_an_expression_is_budgeted",
    "test_optimizers_checks.py::test_every_model_is_wrong_and_named_under_200_seeds",
    "test_misconceptions.py::test_every_family_member_is_wrong_and_named_under_200_seeds",
    "test_classroom.py::test_limits_come_from_the_environment_only",
)


def pytest_collection_modifyitems(config, items):
    def rank(item) -> int:
        module = item.path.name
        test = f"{module}::{item.originalname}"
        for place, name in enumerate(LONGEST_FIRST):
            if name in (module, test):
                return place
        return len(LONGEST_FIRST)
    items.sort(key=rank)              # a stable sort: the rest keep their order


def pytest_xdist_make_scheduler(config, log):
    """Tests in the collection's order, a module of ``SHARED_SET_UP`` as one
    unit of work.  (xdist's own ``--dist loadgroup`` reads the groups from
    the tests' node ids, which pytest 9 no longer lets it change.)"""
    from xdist.scheduler import LoadScopeScheduling

    class SharedSetUpScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
            return SHARED_SET_UP.get(module, nodeid)

    config.option.loadscopereorder = False      # keep LONGEST_FIRST's order
    return SharedSetUpScheduling(config, log)
