"""The same code gets the same grade under every seed.

Every submission of ``tests/corpus/`` (correct variants, misconceptions,
submissions that only some data sizes show wrong, hostile code) is graded
under 50 seeds; per check, the outcome, the score and the misconception
named must be the same under all of them.  The cases' shapes are fixed
data and only their values come from the seed, so a misconception is
caught under every seed by construction; this sweep is the proof.

``tests/corpus/wrong/<name>/<module>.py`` are wrong submissions that only
some inputs reveal (a data set of odd size, more than three weights, a run
long enough to converge): they must lose points under every seed.
``tests/corpus/families/<name>/`` are mistakes in the shapes real students
write them, named by a family of misconceptions (``expected.json`` says
which): the name, too, must be the same under every seed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from autograder.engine.config import Limits
from autograder.course import CALCULUS
from autograder.engine.runner import grade_seeds
from autograder.engine.seed_sweep import Job, signature, sweep

from conftest import CORPUS, SEED, SOLUTIONS, hold_to_record

MIB = 1024**2
SEEDS = range(SEED, SEED + 50)
# The seeds share an exercise's time budget: ten seconds are plenty for 50
# seeds of the corpus' code.  Hostile code gets three, which keeps its hangs
# short (a memory hog stopped by the clock before the cap is still "hit a
# limit", scoring 0, under every seed).
LIMITS = Limits(time_seconds=10, memory_bytes=512 * MIB, output_bytes=64 * 1024)
HOSTILE_LIMITS = Limits(time_seconds=3, memory_bytes=512 * MIB, output_bytes=64 * 1024)
# The memory hog fills the cap in each of a seed's six minimize_quadratic
# calls: 2 s a seed at 512 MiB on a quiet machine, too near the three
# seconds for a busy one (a seed cut by the clock spoils critical_learning_rate
# too: its grade then follows the machine's speed, not the seed).  At
# 128 MiB a seed takes 0.4 s.
# The fork bomb hangs two checks of gradient_descent (quadratic_grad and
# minimize_quadratic, which calls it), each until its own deadline; the
# checks after them run in a new worker once the bomb is swept.  Within
# three seconds that leaves each later check 0.375 s, which sweeping a
# fork bomb on a busy machine can come close to: ten leave them 1.25 s.
ENTRY_LIMITS = {("hostile", "memory_hog"): Limits(time_seconds=3, memory_bytes=128 * MIB,
                                                  output_bytes=64 * 1024),
                ("hostile", "fork_bomb"): Limits(time_seconds=10, memory_bytes=512 * MIB,
                                                 output_bytes=64 * 1024)}
KINDS = ("correct", "misconceptions", "families", "wrong", "hostile")
# kill -1 as 'nobody' is only safe inside a PID namespace of its own (root).
NEEDS_ROOT = {"kill_all"}


def _modules(folder: Path) -> list[Path]:
    """The entry's module files (a link is a hostile entry's way out of the
    submission: never graded, see tests/test_intake.py)."""
    return sorted(p for p in folder.glob("*.py") if not p.is_symlink())


def _entries():
    for kind in KINDS:
        for folder in sorted((CORPUS / kind).iterdir()):
            # Entries without a module (links, notebooks) are the intake's
            # cases, graded in tests/test_intake.py.
            if folder.is_dir() and (os.getuid() == 0 or folder.name not in NEEDS_ROOT) \
                    and _modules(folder):
                yield kind, folder


def _submission(base: Path, kind: str, folder: Path) -> Job:
    """The reference solutions with the entry's modules in place; graded
    only on the entry's exercises."""
    target = base / kind / folder.name
    target.mkdir(parents=True)
    for path in SOLUTIONS.glob("*.py"):
        shutil.copyfile(path, target / path.name)
    modules = _modules(folder)
    for path in modules:
        shutil.copyfile(path, target / path.name)
    return Job(target, tuple(p.stem for p in modules))


@pytest.fixture(scope="module")
def corpus_jobs(tmp_path_factory):
    base = tmp_path_factory.mktemp("sweep")
    return {(kind, folder.name): _submission(base, kind, folder) for kind, folder in _entries()}


@pytest.fixture(scope="module")
def swept(corpus_jobs):
    out = {}
    groups: dict[Limits, list] = {}
    for key in corpus_jobs:
        limits = ENTRY_LIMITS.get(key, HOSTILE_LIMITS if key[0] == "hostile" else LIMITS)
        groups.setdefault(limits, []).append(key)
    for limits, keys in groups.items():
        results = sweep([corpus_jobs[k] for k in keys], SEEDS, CALCULUS, workers=2,
                        limits=limits)
        out.update(zip(keys, results))
    return out


def test_the_sweep_covers_the_whole_corpus(swept):
    kinds = {kind for kind, _ in swept}
    assert kinds == set(KINDS)
    assert len(swept) >= 100
    assert all(s.seeds == len(SEEDS) for s in swept.values())
    # Every seed is settled, but for hostile code that hangs under every seed:
    # each of those seeds costs a whole time budget, and two are settled.
    for (kind, name), s in swept.items():
        assert s.settled == len(SEEDS) or (kind == "hostile" and s.settled >= 2), s.describe()


def test_every_corpus_submission_gets_one_grade_under_every_seed(swept):
    unstable = [s.describe() for s in swept.values() if not s.stable]
    assert not unstable, "\n".join(unstable)


def test_every_corpus_grade_is_the_recorded_one(swept, pytestconfig):
    hold_to_record(pytestconfig, CORPUS / "verdicts.json",
                   {f"{kind}/{name}": max(s.by_signature, key=lambda g: len(s.by_signature[g]))
                    for (kind, name), s in swept.items() if s.by_signature})


def _exercise_scores(sig) -> dict[str, tuple[float, int]]:
    """{exercise: (score, number of checks passed)} from a signature."""
    scores: dict[str, tuple[float, int]] = {}
    for module, _, outcome, score, _ in sig:
        total, passed = scores.get(module, (0.0, 0))
        scores[module] = (total + score, passed + (outcome == "passed"))
    return scores


def test_correct_variants_get_full_marks_under_every_seed(swept):
    for (kind, name), s in swept.items():
        if kind != "correct":
            continue
        (sig,) = s.by_signature
        failed = [check for check in sig if check[2] != "passed"]
        assert not failed, f"{name}: {failed}"


def test_wrong_submissions_lose_points_under_every_seed(swept):
    wrong = {name: s for (kind, name), s in swept.items() if kind == "wrong"}
    assert len(wrong) >= 4
    for name, s in wrong.items():
        (sig,) = s.by_signature
        lost = [check for check in sig if check[2] != "passed"]
        assert lost, f"{name} passed every check under all {s.seeds} seeds"


def test_the_sweep_catches_a_grade_that_depends_on_the_seed(tmp_path):
    """A predict that is right only for positive w passes under some seeds
    (all five random w drawn positive) and fails under others: the sweep
    must say so."""
    folder = tmp_path / "lottery"
    folder.mkdir()
    for path in SOLUTIONS.glob("*.py"):
        shutil.copyfile(path, folder / path.name)
    source = (folder / "neuron.py").read_text(encoding="utf-8")
    source = source.replace("    return sigmoid(w * x + b)",
                            "    return sigmoid(w * x + b) if w > 0 else sigmoid(b)")
    (folder / "neuron.py").write_text(source, encoding="utf-8")
    (result,) = sweep([Job(folder, ("neuron",))], range(200), CALCULUS, workers=1,
                      limits=LIMITS)
    assert not result.stable
    text = result.describe()
    assert "neuron: predict is sigmoid(w*x + b): " in text
    assert "passed 3" in text and "failed 0" in text


def test_a_hang_under_some_seeds_is_not_taken_for_every_seed(tmp_path, sandbox):
    """Seeds graded together share a worker: a predict that hangs only for
    negative w (seed 0 draws one) must not spoil a seed that draws none
    (seed 71), which separate grading passes."""
    folder = tmp_path / "hangs"
    folder.mkdir()
    for path in SOLUTIONS.glob("*.py"):
        shutil.copyfile(path, folder / path.name)
    source = (folder / "neuron.py").read_text(encoding="utf-8")
    source = source.replace(
        "    return sigmoid(w * x + b)",
        "    import time\n    deadline = time.monotonic() + 30\n"
        "    while w < 0 and time.monotonic() < deadline:\n        pass\n"
        "    return sigmoid(w * x + b)")
    (folder / "neuron.py").write_text(source, encoding="utf-8")
    quick = Limits(time_seconds=1, memory_bytes=512 * MIB, output_bytes=64 * 1024)
    hanging, clean = grade_seeds(folder, CALCULUS, (0, 71), limits=quick, only=("neuron",),
                                 sandbox=sandbox)
    outcome = {c.function: c.outcome.value for e in clean.exercises for c in e.checks}
    assert outcome["predict"] == "passed"
    assert {c.function: c.outcome.value for e in hanging.exercises
            for c in e.checks}["predict"] == "limit"
    (swept,) = sweep([Job(folder, ("neuron",))], (0, 71), CALCULUS, workers=1, limits=quick)
    assert not swept.stable


def test_grading_the_seeds_together_agrees_with_grading_them_apart(corpus_jobs, grade, sandbox):
    """The sweep grades all seeds in one worker per exercise; for the
    corpus that must give what separate gradings give."""
    seeds = (SEED, SEED + 17)
    for (kind, name), job in corpus_jobs.items():
        if kind == "hostile" and name not in ("crash_segfault", "exit_in_function",
                                              "eq_everything", "patch_numpy"):
            continue     # the rest are graded one by one in test_hostile.py
        together = [signature(r) for r in grade_seeds(job.submission, CALCULUS, seeds,
                                                       limits=LIMITS,
                                                       only=job.only, sandbox=sandbox)]
        apart = [signature(grade(job.submission, only=job.only, limits=LIMITS, seed=seed))
                 for seed in seeds]
        assert together == apart, name


def test_wrong_and_family_entries_are_named_as_listed_under_every_seed(swept):
    """``expected.json`` names the misconception each wrong/ and families/
    entry stands for: some check names it, under every seed."""
    import json
    listed = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    for key, said in listed.items():
        kind, name = key.split("/")
        if kind == "misconceptions":
            continue      # named after their folder: test_misconceptions.py
        (sig,) = swept[kind, name].by_signature
        assert any(check[4] == said["misconception"] for check in sig), (key, sig)
