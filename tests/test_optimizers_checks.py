"""The checks of assignment 2 (``optimizers``), graded through the sandbox
and, for many seeds, in this process.

``tests/corpus/optimizers/`` holds realistic submissions, one module each
(the other modules are the reference solutions):

- ``correct/<name>/``: correct code written differently from the reference
  (PyTorch's momentum, ε outside the root, plain Python lists, loops,
  broadcasting, a numerical gradient): full marks;
- ``misconceptions/<id>/``: the reference with the one mistake of
  misconception ``<id>``: its check fails, names it and shows its hint;
- ``hostile/<name>/``: code that hangs, hogs memory or returns objects that
  claim to equal anything: zero on the checks it spoils, full marks on the
  others.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from autograder.sandbox import worker as child
from autograder.engine.config import Limits
from autograder.course import misconceptions as calculus_misconceptions
from autograder.course.optimizers import EXERCISES, MODULES, misconceptions
from autograder.course.optimizers import backprop, minibatch
from autograder.channels.feedback import render_check
from autograder.engine.outcomes import Outcome
from autograder.engine.runner import grade_exercises
from autograder.engine.seed_sweep import Job, sweep
from autograder.engine.expressions import X, add, component, mul, vector
from autograder.engine.families import predicted

from conftest import OPTIMIZERS, SEED, SOLUTIONS, hold_to_record
from optimizers_inprocess import encoded, judge, load

CORPUS = Path(__file__).resolve().parent / "corpus" / "optimizers"
REFERENCE = OPTIMIZERS
MIB = 1024**2
LIMITS = Limits(time_seconds=10, memory_bytes=1024 * MIB, output_bytes=64 * 1024)
# The hostile corpus' hang spins for 6 s: the budget stops it at 2.
HOSTILE_LIMITS = Limits(time_seconds=2, memory_bytes=1024 * MIB, output_bytes=64 * 1024)

CATALOGUE = {m.id: (module, check, m) for module, check, m in misconceptions()}
BY_MODULE = {e.module: e for e in EXERCISES}
CHECKS = {(e.module, c.name): c for e in EXERCISES for c in e.checks}


def m_function(module: str, check_name: str) -> str:
    return CHECKS[module, check_name].function


def _folders(kind: str) -> list[str]:
    return sorted(p.name for p in (CORPUS / kind).iterdir() if p.is_dir())


def _module_of(folder: Path) -> Path:
    (path,) = folder.glob("*.py")
    return path


@pytest.fixture
def optimizers_submission(tmp_path):
    """``optimizers_submission(overrides)``: a folder holding the reference
    solutions of assignment 2, each ``{module: Path}`` of ``overrides``
    replacing that module."""
    count = 0

    def make(overrides: dict | None = None) -> Path:
        nonlocal count
        count += 1
        folder = tmp_path / f"submission{count}"
        folder.mkdir()
        for path in REFERENCE.glob("*.py"):
            shutil.copyfile(path, folder / path.name)
        for module, source in (overrides or {}).items():
            shutil.copyfile(source, folder / f"{module}.py")
        return folder
    return make


@pytest.fixture
def grade_optimizers(sandbox):
    def run(folder: Path, modules=MODULES, limits: Limits = LIMITS, seed: int = SEED):
        return grade_exercises(sandbox, folder, [BY_MODULE[m] for m in modules], seed, limits)
    return run


# ------------------------------------------------------------- the contract

def test_points_follow_the_contract():
    assert [(e.module, e.points) for e in EXERCISES] == [
        ("momentum", 25), ("minibatch", 15), ("adaptive", 30), ("backprop", 30)]
    assert sum(e.points for e in EXERCISES) == 100
    points = {c.function: c.points for e in EXERCISES for c in e.checks}
    assert points == {"momentum_descent": 12, "nesterov_descent": 13, "minibatch_train": 15,
                      "adagrad": 10, "rmsprop": 10, "adam": 10, "softmax": 6,
                      "cross_entropy": 6, "softmax_cross_entropy_grad": 6,
                      "two_layer_gradients": 12}


def test_the_graders_iterates_reproduce_the_contracts_figures():
    """The first case of each optimiser is the contract's worked example."""
    stated = {"momentum_descent": [0, 0.8, 2.16, 3.752, 5.2344, 6.32168],
              "nesterov_descent": [0, 0.8, 2.016, 3.28832, 4.346726, 5.039434],
              "adagrad": [0, 0.5, 0.829252, 1.085413, 1.298438, 1.482091],
              "rmsprop": [0, 0.316228, 0.536493, 0.716142, 0.872276, 1.012722],
              "adam": [0, 0.1, 0.199926, 0.299726, 0.399347, 0.498732]}
    for e in EXERCISES:
        for check in e.checks:
            if check.function in stated:
                first = check.make_cases(SEED, e.module)[0]
                np.testing.assert_allclose(first.expected, stated[check.function], atol=6e-7)
    assert minibatch.train(-2, -2, minibatch.X, minibatch.Y, 1.0, 1, 1) == pytest.approx(
        [-1.994475796, -1.992276087], abs=1e-9)
    assert minibatch.train(-2, -2, minibatch.X, minibatch.Y, 1.0, 1000, 1) == pytest.approx(
        [1.791727, -2.282127], abs=1e-6)
    assert backprop.softmax([1000, 1000]) == [0.5, 0.5]
    assert backprop.cross_entropy(backprop.softmax([2, 1, 0.1]), [1, 0, 0]) == pytest.approx(
        0.417030, abs=1e-6)
    g = backprop.gradients(*backprop.EXAMPLE)
    assert g["b2"] == pytest.approx([0.259450, -0.478775, 0.219325], abs=1e-6)
    assert g["b1"] == pytest.approx([-0.023865, -0.082241], abs=1e-6)
    assert np.allclose(g["W1"], [[-0.023865, -0.047730], [-0.082241, -0.164482]], atol=1e-6)


def test_the_graders_backprop_agrees_with_central_differences_of_its_loss():
    for case in backprop.tlg_cases(random.Random(SEED)):
        args = [np.array(a, dtype=float) for a in case.context["args"]]
        for k, name in ((2, "W1"), (3, "b1"), (4, "W2"), (5, "b2")):
            value = args[k]
            for i in np.ndindex(value.shape):
                up = [a.copy() for a in args]
                down = [a.copy() for a in args]
                up[k][i] += 1e-6
                down[k][i] -= 1e-6
                numeric = (backprop.loss(*[a.tolist() for a in up]) -
                           backprop.loss(*[a.tolist() for a in down])) / 2e-6
                assert np.array(case.expected[name])[i] == pytest.approx(numeric, rel=1e-5,
                                                                        abs=1e-8)


def test_the_gradients_handed_out_are_the_graders_own():
    """Student code gets each gradient as a tree (compiled in the worker
    with NumPy); the grader computes with the same function written out.
    They agree, on numbers, lists and arrays, at the start and around it."""
    rng = np.random.default_rng(0)
    for e in EXERCISES:
        for check in e.checks:
            for case in check.make_cases(SEED, e.module):
                problem = case.context.get("problem")
                if problem is None:
                    continue
                compiled = child.compile_tree(problem.fn.tree, np)
                x0 = np.array(case.context["x0"], dtype=float)
                for x in [x0] + [x0 + rng.normal(size=x0.shape) for _ in range(5)]:
                    arg = float(x) if problem.dim == 0 else x
                    np.testing.assert_allclose(compiled(arg), problem.grad(arg), rtol=1e-14)
                    if problem.dim:
                        np.testing.assert_allclose(compiled(list(x)), problem.grad(x),
                                                   rtol=1e-14)


def test_a_vector_tree_compiles_only_as_a_whole_and_within_bounds():
    tree = vector(mul(2, add(component(0), -1.0)), mul(4, component(1)))
    assert list(child.compile_tree(tree, np)(np.array([3.0, 0.5]))) == [4.0, 2.0]
    assert list(child.compile_tree(tree, np)([3.0, 0.5])) == [4.0, 2.0]
    with pytest.raises(ValueError):
        child.compile_tree(["Add", tree, tree], np)          # a vector inside a sum
    with pytest.raises(ValueError):
        child.compile_tree(component(child.MAX_VECTOR_LENGTH), np)
    with pytest.raises(ValueError):
        child.compile_tree(["Vector"], np)
    # Scalar trees are compiled as before.
    assert child.compile_tree(mul(2, X), np)(3.0) == 6.0


def test_case_shapes_are_fixed_and_cover_the_contract():
    """The shapes do not depend on the seed; the optimisers run on numbers
    and arrays of 2 and 3 parameters, steps 0, 1 and many; mini-batches of
    every size from 1 to beyond the data, for data of 1 to 7 points."""
    def shapes(seed):
        out = []
        for e in EXERCISES:
            for check in e.checks:
                for case in check.make_cases(seed, e.module):
                    out.append((case.label.split(" as ")[0], case.probe.function,
                                len(case.probe.args),
                                np.shape(case.expected) if not isinstance(case.expected, dict)
                                else tuple(np.shape(v) for v in case.expected.values())))
        return out
    assert shapes(1) == shapes(2) == shapes(SEED)
    optimiser = CHECKS["momentum", "momentum_descent returns the iterates of momentum"]
    cases = optimiser.make_cases(SEED, "momentum")
    assert {case.context["problem"].dim for case in cases} == {0, 2, 3}
    assert {0, 1, 40} <= {case.context["steps"] for case in cases}
    mb = CHECKS["minibatch", "minibatch_train runs mini-batch gradient descent"]
    pairs = {(len(c.context["xs"]), c.context["size"]) for c in mb.make_cases(SEED, "minibatch")}
    assert {(n, k) for n in range(1, 8) for k in range(1, n + 2)} <= pairs


# ------------------------------------------------------------ the catalogue

def test_there_are_at_least_twenty_misconceptions_each_with_a_model_and_hint():
    ids = [m.id for _, _, m in misconceptions()]
    assert len(ids) >= 20
    assert len(ids) == len(set(ids))
    assert not set(ids) & {m.id for _, _, m in calculus_misconceptions()}
    for _, _, m in misconceptions():
        # A model, or a family of mistakes (tests/test_misconceptions.py holds
        # the families' members to being named under 200 seeds).
        assert (m.model is not None or m.family is not None) and m.hint and m.title, m.id


def test_every_misconception_has_one_corpus_folder_and_back():
    assert set(_folders("misconceptions")) == set(CATALOGUE)
    for mid, (module, _, _) in CATALOGUE.items():
        assert [p.name for p in (CORPUS / "misconceptions" / mid).iterdir()] == [f"{module}.py"]


SWEEP_SEEDS = range(200)


def _model_results(check, cases, m):
    """The results of code that computes what ``m``'s model says: its
    prediction where the model applies, the right answer elsewhere."""
    results = []
    for case in cases:
        # Worked out once per case: judging asks families.predicted again.
        value = predicted(m.model, case, m.model)
        value = case.expected if value is None else value
        results.append([encoded(value)])
    return results


@pytest.mark.parametrize("module, check_name", [k for k, c in CHECKS.items() if c.misconceptions])
def test_every_model_is_wrong_and_named_under_200_seeds(module, check_name):
    """The cases' shapes are fixed and the seed draws only values: each
    misconception's model must fail its check and be named under every seed."""
    check = CHECKS[module, check_name]
    for seed in SWEEP_SEEDS:
        cases = check.make_cases(seed, module)
        # Each model's answer to a case is worked out once (families.predicted),
        # for its own results and for judging every other model's.
        for m in check.misconceptions:
            if m.family is not None:
                continue   # held to it in tests/test_misconceptions.py
            verdict = check.judge(check, cases, _model_results(check, cases, m))
            assert verdict.outcome is Outcome.FAILED, (m.id, seed, verdict.feedback)
            assert verdict.misconception == m.id, (m.id, seed, verdict.misconception,
                                                   verdict.feedback)


# ------------------------------------------- in process, under many seeds

def _inprocess(kind):
    for name in _folders(kind):
        path = _module_of(CORPUS / kind / name)
        yield name, path.stem, path


@pytest.mark.parametrize("name, module, path", list(_inprocess("correct")) +
                         [("reference", m, REFERENCE / f"{m}.py") for m in MODULES])
def test_correct_code_passes_under_30_seeds(name, module, path):
    """Correct variants (and the reference) pass every check under 30
    seeds (and 10 more through the sandbox, below): the tolerances accept
    what the contract accepts."""
    code = load(path, f"{name}_{module}")
    for seed in range(1000, 1030):
        for check in BY_MODULE[module].checks:
            verdict = judge(check, check.make_cases(seed, module), code)
            assert verdict.outcome is Outcome.PASSED, (seed, check.name, verdict.feedback)


# ------------------------------------------------------ through the sandbox

def test_reference_scores_100(optimizers_submission, grade_optimizers):
    results = grade_optimizers(optimizers_submission())
    failed = [render_check(c) for e in results for c in e.checks if c.outcome is not Outcome.PASSED]
    assert not failed, "\n".join(failed)
    assert sum(e.score for e in results) == 100


@pytest.mark.parametrize("name", _folders("correct"))
def test_correct_variant_gets_full_marks(name, optimizers_submission, grade_optimizers):
    path = _module_of(CORPUS / "correct" / name)
    (exercise,) = grade_optimizers(optimizers_submission({path.stem: path}), (path.stem,))
    failed = [render_check(c) for c in exercise.checks if c.outcome is not Outcome.PASSED]
    assert not failed, "\n".join(failed)
    assert exercise.score == exercise.max_score


@pytest.mark.parametrize("mid", list(CATALOGUE))
def test_misconception_is_recognised(mid, optimizers_submission, grade_optimizers):
    module, check_name, m = CATALOGUE[mid]
    path = CORPUS / "misconceptions" / mid / f"{module}.py"
    (exercise,) = grade_optimizers(optimizers_submission({module: path}), (module,))
    (check,) = [c for c in exercise.checks if c.name == check_name]
    text = render_check(check)
    assert check.outcome is Outcome.FAILED, text
    assert check.verdict.misconception == mid, text
    assert m.hint in text and f"recognised: {m.title}" in text, text
    feedback = check.verdict.feedback
    assert feedback.got and feedback.expected, text
    # The other checks of the exercise are the reference's: they pass, or
    # (where they call the broken function) point there.
    for other in exercise.checks:
        if other.name != check_name and other.outcome is not Outcome.PASSED:
            assert f"may call `{m_function(module, check_name)}`" in render_check(other), \
                render_check(other)


def test_the_replay_names_the_first_broken_step_and_the_rule(optimizers_submission,
                                                             grade_optimizers):
    path = CORPUS / "misconceptions" / "nesterov-gradient-at-x" / "momentum.py"
    (exercise,) = grade_optimizers(optimizers_submission({"momentum": path}), ("momentum",))
    text = render_check(exercise.checks[1])
    assert "Step 1 → 2 is the first that breaks the rule x̃_t = x_t − β·u_{t−1}" in text, text
    assert "u_t = β·u_{t−1} + η·grad(x̃_t)" in text


HOSTILE = {
    # name: (module, {check function: outcome it must get}); the others pass.
    "nesterov-hangs": ("momentum", {"nesterov_descent": Outcome.LIMIT}),
    "backprop-eq-everything": ("backprop", {"softmax": Outcome.FAILED,
                                            "two_layer_gradients": Outcome.FAILED}),
    "minibatch-memory-hog": ("minibatch", {"minibatch_train": Outcome.LIMIT}),
    "adam-float-subclass": ("adaptive", {"adam": Outcome.FAILED}),
}


def test_every_hostile_folder_is_listed():
    assert set(_folders("hostile")) == set(HOSTILE)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_code_scores_zero_on_its_checks_only(name, optimizers_submission,
                                                     grade_optimizers):
    module, spoiled = HOSTILE[name]
    path = CORPUS / "hostile" / name / f"{module}.py"
    (exercise,) = grade_optimizers(optimizers_submission({module: path}), (module,),
                                   limits=HOSTILE_LIMITS)
    for check in exercise.checks:
        text = render_check(check)
        if check.function in spoiled:
            assert check.outcome is spoiled[check.function], text
            assert check.score == 0, text
        else:
            assert check.outcome is Outcome.PASSED, text


def test_the_seed_changes_no_corpus_grade(tmp_path, pytestconfig):
    """Every corpus submission (correct, misconceptions, families, hostile)
    gets one grade, check by check, under 50 seeds, graded through the
    sandbox (the models are held to 200 seeds above)."""
    jobs = []
    named = {key: said["misconception"] for key, said in
             json.loads((CORPUS / "expected.json").read_text(encoding="utf-8")).items()}
    for kind in ("correct", "misconceptions", "families", "hostile"):
        for name in _folders(kind):
            path = _module_of(CORPUS / kind / name)
            folder = tmp_path / kind / name
            folder.mkdir(parents=True)
            for ref in REFERENCE.glob("*.py"):
                shutil.copyfile(ref, folder / ref.name)
            shutil.copyfile(path, folder / path.name)
            jobs.append(Job(folder, (path.stem,)))
    quick = Limits(time_seconds=3, memory_bytes=512 * MIB, output_bytes=64 * 1024)
    swept = sweep(jobs, range(SEED, SEED + 50), EXERCISES, workers=2, limits=quick)
    unstable = [s.describe() for s in swept if not s.stable]
    assert not unstable, "\n".join(unstable)
    hold_to_record(pytestconfig, CORPUS / "verdicts.json",
                   {"/".join(s.job.submission.parts[-2:]): next(iter(s.by_signature))
                    for s in swept})
    for s in swept:
        (sig,) = s.by_signature
        hostile = "hostile" in s.job.submission.parts
        # Code that hangs under every seed is settled for two (each costs a budget).
        assert s.settled == 50 or (hostile and s.settled >= 2), s.describe()
        if hostile:
            assert any(check[2] != "passed" for check in sig), s.describe()
        elif "correct" in s.job.submission.parts:
            assert all(check[2] == "passed" for check in sig), s.describe()
        else:
            key = "/".join(s.job.submission.parts[-2:])
            assert any(check[4] == named.get(key, s.job.submission.name) for check in sig), \
                s.describe()


def test_judging_never_changes_the_shared_cases():
    """The cases of a seed are made once and shared by every submission
    graded with it (runner.planned_cases): judging the reference and every
    misconception (each model runs) only reads them."""
    from autograder.engine.runner import planned_cases
    before = [repr(planned_cases(e, SEED)) for e in EXERCISES]
    for mid, (module, check_name, _) in CATALOGUE.items():
        case_lists = planned_cases(BY_MODULE[module], SEED)[0]
        check_number = [c.name for c in BY_MODULE[module].checks].index(check_name)
        code = load(CORPUS / "misconceptions" / mid / f"{module}.py", mid)
        judge(CHECKS[module, check_name], list(case_lists[check_number]), code)
    assert [repr(planned_cases(e, SEED)) for e in EXERCISES] == before
