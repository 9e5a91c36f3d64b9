"""Hostile submissions: the wall between student code and the grader.

Each module of ``tests/corpus/hostile/<name>/`` is a whole exercise module
that attacks the grader in one way (exits, hangs, floods, crashes, hogs
memory, monkeypatches, lies about equality, reaches for the reference,
forges results, kills processes, forks, sabotages files).  It is graded
beside the reference solutions of the other three exercises, and the
contract's promise is checked: the checks it spoiled score zero with a
message that names the cause, every other exercise scores full marks, and
the results file is the grader's alone (CURRICULUM.md, "Student code cannot
grade itself" and "Limits, then grading goes on").

Every hostile loop ends by itself (60 s at most), allocations stop at 3 GiB
and are capped here at 512 MiB, and forks are bounded, so that a broken
grader makes these tests fail, not the machine.

Tests marked ``xfail(strict=True)`` document a hole that is still open:
they assert what the grader should do, and fail until it does.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from autograder.engine.config import Limits
from autograder.course import CALCULUS
from autograder.channels.feedback import render
from autograder.engine.outcomes import Outcome, SubmissionResult
from autograder.engine.runner import grade_submission
from autograder.sandbox.client import Sandbox

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions" / "calculus"
HOSTILE = Path(__file__).resolve().parent / "corpus" / "hostile"
MODULES = ("derivatives", "gradient_descent", "weight_updates", "neuron")
MIB = 1024**2
LIMITS = Limits(time_seconds=3, memory_bytes=512 * MIB, output_bytes=64 * 1024)
HANG = Limits(time_seconds=2, memory_bytes=512 * MIB, output_bytes=64 * 1024)
# Filling memory up to the cap takes a while on a busy machine: the memory
# cases get time enough that only the memory cap can stop them.  Their cap
# is 128 MiB, not 512: a hog stops at either all the same, and each of its
# calls touches every page up to the cap (as tests/test_seed_sweep.py caps
# memory_hog).
MEMORY = Limits(time_seconds=10, memory_bytes=128 * MIB, output_bytes=64 * 1024)
# The name (comm) or command line of every process the corpus leaves behind.
TOKEN = "hx" + secrets.token_hex(4)
IS_ROOT = os.getuid() == 0

needs_root = pytest.mark.skipif(
    not IS_ROOT, reason="the worker drops to an unprivileged user only when the grader is root")


# ------------------------------------------------------------------ helpers

def hostile(name: str, **values) -> tuple[str, str]:
    """``(module, source)`` of the corpus entry ``name``, with each
    ``@KEY@`` placeholder replaced by ``values[key]``."""
    (path,) = (HOSTILE / name).glob("*.py")
    text = path.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key.upper()}@", str(value))
    left = re.findall(r"@[A-Z]+@", text)
    assert not left, f"{name}: placeholders left unfilled: {left}"
    return path.stem, text


def text_of(result: SubmissionResult, module: str, function: str | None = None) -> str:
    """All the feedback of ``module``'s checks (of ``function``'s only, if given)."""
    return "\n".join(render(c.verdict.feedback) for c in result.exercise(module).checks
                     if function is None or c.function == function)


def scores(result: SubmissionResult) -> dict[str, str]:
    return {e.module: f"{e.score:g}/{e.max_score:g}" for e in result.exercises}


def assert_others_full(result: SubmissionResult, module: str) -> None:
    for e in result.exercises:
        if e.module != module:
            assert e.score == e.max_score, (
                f"{e.module} lost points to a hostile {module}.py: {scores(result)}\n"
                + text_of(result, e.module))


def assert_spoiled(result: SubmissionResult, module: str, spoiled: set[str],
                   words: tuple[str, ...]) -> None:
    """The checks named in ``spoiled`` (by function, or by check name) did not
    pass and each says one of ``words``; every other check of ``module`` passed."""
    exercise = result.exercise(module)
    assert spoiled <= {c.function for c in exercise.checks} | {c.name for c in exercise.checks}
    for c in exercise.checks:
        shown = f"{c.function} ({c.name}): {c.outcome.value}\n{render(c.verdict.feedback)}"
        if c.function in spoiled or c.name in spoiled:
            assert c.outcome is not Outcome.PASSED, shown
            assert c.score == 0, shown
            text = render(c.verdict.feedback).lower()
            assert any(w.lower() in text for w in words), f"none of {words} in:\n{shown}"
        else:
            assert c.outcome is Outcome.PASSED, shown
    assert exercise.score < exercise.max_score


def marked_processes(token: str = TOKEN) -> list[tuple[int, str, str]]:
    """Live processes whose name (comm) or command line holds ``token``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm", "rb") as fh:
                comm = fh.read().decode(errors="replace").strip()
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read().replace(b"\0", b" ").decode(errors="replace")
            if token not in comm and token not in cmdline:
                continue       # (the state is read only of the few that match)
            with open(f"/proc/{entry}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if state != b"Z":
            found.append((int(entry), comm, cmdline[:80]))
    return found


def kill_marked(token: str = TOKEN) -> list[tuple[int, str, str]]:
    """Kill (by pid) what the corpus left behind; return what there was."""
    left = marked_processes(token)
    for pid, _, _ in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return left


class Watch:
    """Polls for marked processes on a thread: ``seen`` is the most found
    at once (proof that the hostile processes did run)."""

    def __init__(self):
        self.seen = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.seen = max(self.seen, len(marked_processes()))
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@pytest.fixture(autouse=True)
def no_leftovers():
    """After every test: nothing the corpus started may still run."""
    yield
    deadline = time.monotonic() + 1.0
    while marked_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    left = kill_marked()
    assert not left, f"processes left behind by hostile code: {left}"


@pytest.fixture
def own_grade():
    """``grade`` with a sandbox of its own, for a submission that breaks the
    grader: an exception in the middle of a run leaves that run's other
    requests queued in the server, and whoever uses that sandbox next reads
    their replies (see tests/test_sandbox.py)."""
    with Sandbox() as box:
        def run(folder: Path, only=None, limits: Limits = LIMITS, seed: int = 20261122):
            return grade_submission(folder, CALCULUS, seed=seed, limits=limits, only=only,
                                    sandbox=box)
        yield run


@pytest.fixture
def shared_dir():
    """A folder every user may write to, like /tmp (mode 1777), outside
    pytest's private tmp_path; removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=f"{TOKEN}-shared-"))
    os.chmod(path, 0o1777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def run_cli(folder: Path, results: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    return subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(folder), "--json", str(results),
         "--seed", "1", "--timeout", "3", "--memory", "512MiB", "--output", "64KiB"],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


# ------------------------------------------ the spoiled checks, by cause

# name: (module's spoiled functions, words one of which the feedback says, limits)
SPOILERS = {
    "exit_at_import": ({"update_weights", "sweep_learning_rates"}, ("sys.exit",), LIMITS),
    "exit_in_function": ({"slope_at_2"}, ("sys.exit",), LIMITS),
    "os_exit_in_function": ({"quadratic_grad", "minimize_quadratic", "critical_learning_rate"},
                            ("ended the process (exit code 7",), LIMITS),
    "hang": ({"train"}, ("time budget",), HANG),
    "hang_at_import": ({"df", "slope_at_2", "numerical_derivative"}, ("time budget",), HANG),
    "hang_ignoring_signals": ({"critical_learning_rate"}, ("time budget",), HANG),
    "crash_segfault": ({"predict", "loss", "gradients", "train"}, ("segmentation fault",), LIMITS),
    "crash_abort": ({"numerical_derivative"}, ("aborted",), LIMITS),
    "memory_hog": ({"minimize_quadratic"}, ("memory cap",), MEMORY),
    "memory_hog_at_import": ({"sigmoid", "predict", "loss", "gradients", "train"},
                             ("memory cap",), MEMORY),
    "syntax_error": ({"df", "slope_at_2", "numerical_derivative"}, ("failed: SyntaxError",), LIMITS),
    "close_fds": ({"sigmoid", "predict", "loss", "gradients", "train"},
                  ("ended the process",), LIMITS),
    # The bomb hangs quadratic_grad until its own deadline (3.75 s of 6): the
    # checks after it get a new worker and the time left, which must be
    # enough to clean up the bomb and still grade them on a busy machine.
    "fork_bomb": ({"quadratic_grad"}, ("time budget",),
                  Limits(time_seconds=6, memory_bytes=512 * MIB, output_bytes=64 * 1024)),
    # Monkeypatching in the worker cannot make the grader accept a wrong answer.
    "patch_numpy": ({"numerical_derivative"}, ("wrong",), LIMITS),
    "patch_sympy": ({"df"}, ("not the derivative", "not equal"), LIMITS),
    "patch_builtins": ({"update_weights", "sweep_learning_rates"},
                       ("wrong", "no result", "raised"), LIMITS),
    # Objects equal to everything are not numbers, whatever __eq__ says.
    "eq_everything": ({"gradient_descent", "quadratic_grad", "minimize_quadratic",
                       "critical_learning_rate"}, ("an object of type",), LIMITS),
    "eq_everything_numpy": ({"sigmoid", "predict", "loss", "gradients", "train"},
                            ("an object of type", "did not return numbers"), LIMITS),
}


@pytest.mark.parametrize("name", sorted(SPOILERS))
def test_spoiled_checks_score_zero_and_the_rest_is_graded(name, submission, grade):
    spoiled, words, limits = SPOILERS[name]
    module, source = hostile(name, marker=TOKEN)
    result = grade(submission({module: source}), limits=limits)
    assert_spoiled(result, module, spoiled, words)
    assert_others_full(result, module)


def test_kill_grader_spoils_only_its_own_check(submission, grade):
    """As root the worker is 'nobody' and every kill fails; as the grader's
    own user the fork server dies and the next exercise starts a new one."""
    module, source = hostile("kill_grader")
    result = grade(submission({module: source}), limits=LIMITS)
    # As root the grader is out of sight: another user, whose pid and process
    # group the worker cannot name (getpgid gives 0, and killpg(0) is the
    # worker's own group: it kills itself).
    words = ("PermissionError", "ProcessLookupError", "FileNotFoundError",
             "ended the process", "it was killed") if IS_ROOT \
        else ("sandbox stopped",)
    assert_spoiled(result, module, {"numerical_derivative"}, words)
    assert_others_full(result, module)


# ------------------------------------------------- the reference is hidden

@pytest.mark.xfail(not IS_ROOT, strict=True, reason=(
    "without root the worker cannot mount over folders (no mount namespace) and "
    "falls back to filtering sys.path, which does not stop open()"))
def test_reference_and_grader_are_unreachable(submission, grade, tmp_path):
    module, source = hostile("import_reference", root=ROOT)
    # Control: outside the sandbox the same code does reach them.
    outside = subprocess.run([sys.executable, "-I", "-c", source], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert "FOUND import solutions.calculus.neuron" in outside.stdout, outside.stdout + outside.stderr
    result = grade(submission({module: source}), limits=LIMITS)
    output = result.exercise(module).output
    assert "FOUND NOTHING" in output, output
    assert "FOUND import" not in output and "FOUND read" not in output, output
    assert result.exercise(module).score < result.exercise(module).max_score
    assert_others_full(result, module)


@pytest.mark.skipif(not (ROOT / ".git" / "objects").is_dir(), reason="no git objects here")
def test_reference_is_not_in_reach_through_git(submission, grade):
    module, source = hostile("import_reference_git", root=ROOT)
    result = grade(submission({module: source}), limits=LIMITS)
    output = result.exercise(module).output
    assert "FOUND git" not in output, output
    assert result.exercise(module).score < result.exercise(module).max_score
    assert_others_full(result, module)


def test_no_working_solution_is_in_reach_in_the_repository(submission, grade):
    module, source = hostile("steal_from_repo", root=ROOT)
    result = grade(submission({module: source}), limits=LIMITS)
    output = result.exercise(module).output
    assert "FOUND NOTHING" in output, output
    assert result.exercise(module).score < result.exercise(module).max_score
    assert_others_full(result, module)


# ------------------------------------------------ the results file is ours

def test_forged_results_file_is_the_graders(submission, shared_dir, tmp_path):
    """The submission writes a fake 100/100 results.json at import and
    leaves a daemon rewriting it for 4 s.  The file must end up the grader's
    after the daemon's last write, and the daemon must be gone."""
    results = shared_dir / "results.json"
    module, source = hostile("forge_results", results=results, marker=TOKEN)
    folder = submission({module: source})
    started = time.monotonic()
    with Watch() as watch:
        proc = run_cli(folder, results, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert watch.seen, "the forging daemon never ran"
    time.sleep(max(0.0, started + 6.0 - time.monotonic()))   # past the daemon's 4 s
    text = results.read_text(encoding="utf-8")
    data = json.loads(text)
    assert "FORGED" not in text and "forged" not in data, text[:500]
    assert data["extra_data"]["seed"] == 1
    assert [t["tags"][0] for t in data["tests"]].count("weight_updates") == 3
    assert {t["tags"][0] for t in data["tests"]} == set(MODULES)
    assert data["score"] == sum(t["score"] for t in data["tests"])
    if IS_ROOT:
        assert results.stat().st_uid == 0, "results.json is not owned by the grader"
    assert not marked_processes()


def test_unprintable_feedback_does_not_stop_the_results_file(submission, tmp_path):
    results = tmp_path / "results.json"
    module, source = hostile("surrogate_message")
    proc = run_cli(submission({module: source}), results, tmp_path)
    assert proc.returncode == 0, proc.stderr[-1000:]
    tests = json.loads(results.read_text(encoding="utf-8"))["tests"]
    assert all((t["score"] == 0) == (t["tags"][:2] == [module, "update_weights"]) for t in tests)


@needs_root
def test_results_file_cannot_be_blocked(submission, shared_dir, tmp_path):
    results = shared_dir / "results.json"
    module, source = hostile("forge_results_block", results=results)
    proc = run_cli(submission({module: source}), results, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert results.is_file()
    assert json.loads(results.read_text(encoding="utf-8"))["extra_data"]["seed"] == 1


def test_conftest_in_submission_does_not_run_in_the_grader(submission, tmp_path):
    log = tmp_path / "conftest-ran.txt"
    _, source = hostile("conftest_plugin", log=log)
    folder = submission({"conftest": source}, base=ROOT / "exercises" / "calculus")   # the stubs: all fail
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--submission", str(folder), "-q",
         "-p", "no:cacheprovider", "--grader-seed", "1", "--grader-timeout", "3"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert "0/100" in proc.stdout, proc.stdout[-2000:]
    assert not log.exists(), log.read_text()
    assert proc.returncode == 1, proc.stdout[-2000:]


# --------------------------------------------------- processes and files

def test_no_stray_processes(submission, grade):
    """A fork bomb (bounded) and daemons that detach, ignore SIGTERM, exec a
    shell or keep re-forking in new sessions: all gone after grading."""
    gd, gd_source = hostile("fork_bomb", marker=TOKEN)
    nr, nr_source = hostile("daemons", marker=TOKEN)
    with Watch() as watch:
        result = grade(submission({gd: gd_source, nr: nr_source}), limits=HANG)
    assert watch.seen > 10, "the hostile processes never ran"
    assert result.exercise("neuron").score == result.exercise("neuron").max_score
    assert result.exercise("derivatives").score == result.exercise("derivatives").max_score
    assert result.exercise("weight_updates").score == result.exercise("weight_updates").max_score
    assert "time budget" in text_of(result, "gradient_descent", "quadratic_grad")
    for _ in range(3):     # the hoppers would show up again after a while
        assert not marked_processes(), marked_processes()
        time.sleep(0.5)


def test_deleting_siblings_spoils_nothing(submission, grade):
    module, source = hostile("delete_siblings")
    folder = submission({module: source})
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = grade(folder, limits=LIMITS)
    assert result.score == result.max_score, scores(result)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@needs_root
def test_original_submission_is_out_of_reach(submission, grade):
    folder = submission({})
    module, source = hostile("overwrite_original", submission=folder)
    (folder / f"{module}.py").write_text(source, encoding="utf-8")
    result = grade(folder, limits=LIMITS)
    assert result.score == result.max_score, scores(result)
    assert "could not overwrite" in result.exercise(module).output


@needs_root
def test_world_writable_original_is_read_before_any_student_code(grade):
    """Even where the worker may write the original folder (world-writable
    files here), what it writes there reaches no exercise: every exercise is
    copied before the first worker runs."""
    folder = Path(tempfile.mkdtemp(prefix=f"{TOKEN}-submission-"))
    try:
        for path in SOLUTIONS.glob("*.py"):
            shutil.copyfile(path, folder / path.name)
        module, source = hostile("overwrite_original", submission=folder)
        (folder / f"{module}.py").write_text(source, encoding="utf-8")
        os.chmod(folder, 0o777)
        for path in folder.iterdir():
            os.chmod(path, 0o666)
        result = grade(folder, limits=LIMITS)
        # Whether the worker reached the original (it has its own /tmp now)
        # or not, no exercise saw what it wrote.
        output = result.exercise(module).output
        assert "overwrote neuron.py" in output or "could not overwrite neuron.py" in output
        assert result.score == result.max_score, scores(result)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@needs_root
def test_one_exercise_cannot_rewrite_the_next_ones(submission, grade):
    module, source = hostile("sabotage_next_jobs")
    result = grade(submission({module: source}), limits=LIMITS)
    assert "overwrote" not in result.exercise(module).output
    assert result.score == result.max_score, scores(result)


@needs_root
def test_no_files_left_in_shared_temporary_folders(submission, grade):
    module, source = hostile("tmp_litter", marker=TOKEN)
    try:
        result = grade(submission({module: source}), limits=LIMITS)
        assert result.score == result.max_score
        left = [str(p) for d in ("/tmp", "/dev/shm") for p in Path(d).glob(f"{TOKEN}-*")
                if "-shared-" not in p.name and "-submission-" not in p.name]
        assert not left, left
    finally:
        for d in ("/tmp", "/dev/shm"):
            for p in Path(d).glob(f"{TOKEN}-[0-9]*"):
                p.unlink(missing_ok=True)


# --------------------------------------------------------- open holes

FLOODS = {"output_flood": {"sweep_learning_rates"},
          "output_flood_ignoring_sigxfsz": {"loss", "gradients agree with the slopes of loss"}}


@pytest.mark.parametrize("name", sorted(FLOODS))
def test_output_flood_names_the_output_cap(name, submission, grade):
    module, source = hostile(name)
    result = grade(submission({module: source}), limits=LIMITS)
    assert_spoiled(result, module, FLOODS[name], ("output cap",))
    assert_others_full(result, module)


def test_output_flood_spoils_only_its_own_checks(submission, grade):
    """Whatever the message, the flood costs the flooding check only."""
    for name, spoiled in FLOODS.items():
        module, source = hostile(name)
        result = grade(submission({module: source}), limits=LIMITS)
        assert_spoiled(result, module, spoiled, ("output cap", "file too large"))
        assert_others_full(result, module)


@needs_root
def test_memory_cap_counts_forked_children(submission, grade):
    module, source = hostile("memory_in_children")
    # update_weights is the first of three checks: of a 3 s budget its own
    # deadline is 2 s, which a busy machine can pass before the cap is hit
    # (the children fill 1.9 GiB); with 6 s it has 4.
    limits = Limits(time_seconds=6, memory_bytes=LIMITS.memory_bytes,
                    output_bytes=LIMITS.output_bytes)
    result = grade(submission({module: source}), limits=limits)
    assert_spoiled(result, module, {"update_weights", "sweep_learning_rates"}, ("memory",))
    assert_others_full(result, module)


def test_huge_int_does_not_break_the_grader(submission, own_grade):
    module, source = hostile("big_int")
    result = own_grade(submission({module: source}), limits=LIMITS)
    assert_spoiled(result, module, {"slope_at_2"}, ("wrong", "number", "too large"))
    assert_others_full(result, module)


def test_complex_exponent_does_not_break_the_grader(submission, own_grade):
    module, source = hostile("complex_exponent")
    result = own_grade(submission({module: source}), limits=LIMITS)
    assert_spoiled(result, module, {"df"}, ("undecided", "not the derivative", "not equal"))
    assert_others_full(result, module)


def test_grader_side_sympy_is_bounded(submission, grade):
    module, source = hostile("nested_power")
    limits = Limits(time_seconds=1, memory_bytes=512 * MIB, output_bytes=64 * 1024)
    started = time.monotonic()
    result = grade(submission({module: source}), only=(module,), limits=limits)
    elapsed = time.monotonic() - started
    assert result.exercise(module).score < result.exercise(module).max_score
    assert elapsed < limits.time_seconds + 1.0, f"grading df took {elapsed:.1f} s"


# The grader's own sympy work on a student's expression is budgeted
# (autograder/engine/budget.py): these runs are capped at GRADER_MEMORY of address
# space per process, so that a budget that fails makes the test fail, not
# the machine.
GRADER_MEMORY = 2 * 1024 * MIB
GRADER_BOUND = 240   # s: the run, not a speed, is bounded (none takes a tenth of it)


def _cap_grader_memory():
    import resource
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (GRADER_MEMORY, hard))


# These runs give sympy a budget of 1 s, not the grader's 3 (each form past
# it is tried twice): an expression that never ends runs past either, and
# says which, while the forms a student writes are decided in tens of
# milliseconds even on a busy machine.  Only the waiting is shorter.
GRADER_SECONDS = 1.0
# ``python -m autograder`` itself, its budget set first.
MAIN_WITH_BUDGET = ("import runpy, sys\n"
                    "from autograder.engine import budget\n"
                    "budget.SECONDS = float(sys.argv.pop(1))\n"
                    "runpy.run_module('autograder', run_name='__main__', alter_sys=True)\n")


def run_bounded_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
    return subprocess.run([sys.executable, "-c", MAIN_WITH_BUDGET, str(GRADER_SECONDS),
                           *args, "--seed", "1",
                           "--timeout", "3", "--memory", "512MiB", "--output", "64KiB"],
                          cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=GRADER_BOUND, preexec_fn=_cap_grader_memory)


@pytest.mark.parametrize("name", ["expand_bomb", "power_tower"])
def test_grader_side_work_on_an_expression_is_budgeted(name, submission, tmp_path):
    """A df whose symbolic check would never end (expand_bomb: millions of
    terms; power_tower: a 232-million-digit integer) is decided by its
    values at points once sympy runs past the grader's budget: wrong, with
    a note that says why, and the results file is written."""
    module, source = hostile(name)
    results = tmp_path / "results.json"
    done = run_bounded_cli(["grade", str(submission({module: source})), "--json", str(results)],
                           cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["score"] == 90, done.stdout
    by_function = {t["tags"][1]: t for t in data["tests"] if t["tags"][0] == module}
    df = by_function["df"]
    assert df["score"] == 0 and df["tags"][2] == "failed", df
    assert "not the derivative of f" in df["output"], df["output"]
    assert "too large for the grader to decide symbolically" in df["output"], df["output"]
    assert re.search(rf"time budget of {GRADER_SECONDS:g} s|memory budget of", df["output"]), \
        df["output"]
    others = [t for t in data["tests"] if t is not df]
    assert all(t["score"] == t["max_score"] for t in others), done.stdout


def test_grade_class_goes_on_past_an_expression_too_large_to_decide(tmp_path):
    """grade-class with that student among others: every row and grades.csv."""
    root = tmp_path / "class"
    for student in ("alice", "mallory", "trent"):
        (root / student).mkdir(parents=True)
        for path in SOLUTIONS.glob("*.py"):
            shutil.copyfile(path, root / student / path.name)
    module, source = hostile("expand_bomb")
    (root / "mallory" / f"{module}.py").write_text(source, encoding="utf-8")
    out = tmp_path / "out"
    done = run_bounded_cli(["grade-class", str(root), "--out", str(out), "--workers", "2",
                            "--no-progress"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    import csv
    with open(out / "grades.csv", newline="") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    assert list(rows) == ["alice", "mallory", "trent"]
    assert rows["alice"]["total"] == rows["trent"]["total"] == "100"
    assert rows["mallory"]["total"] == "90" and rows["mallory"][module] == "15"


def test_an_expression_too_large_to_decide_that_agrees_at_points_is_undecided(monkeypatch):
    """Past the budget, values that agree with f′ at every point do not pass:
    the check is undecided, for an instructor to look at."""
    from autograder.engine import budget
    from autograder.course.calculus import derivatives
    from autograder.sandbox.protocol import ProbeResult, Returned
    monkeypatch.setattr(budget, "SECONDS", 0.0)
    derivatives.decide_df.cache_clear()
    try:
        x = ["Symbol", "x"]
        correct = ["Add", ["Mul", ["Integer", "9"], ["Pow", x, ["Integer", "2"]]],
                   ["Mul", ["Integer", "-4"], x], ["Integer", "1"]]
        check = derivatives.EXERCISE.checks[0]
        cases = check.make_cases(20261122, "derivatives")
        verdict = check.judge(check, cases, [[ProbeResult("value", Returned("tree", correct))]])
    finally:
        derivatives.decide_df.cache_clear()
    assert verdict.outcome is Outcome.UNDECIDED, verdict
    text = render(verdict.feedback)
    assert "too large for the grader to decide symbolically" in text
    assert "agree with f′ at 12 points" in text and "time budget of 0 s" in text


@pytest.mark.parametrize("name", ["forge_lines_shape", "forge_lines_overflow"])
def test_forged_result_lines_do_not_break_the_grader(name, submission, own_grade):
    module, source = hostile(name)
    result = own_grade(submission({module: source}), limits=LIMITS)
    assert result.exercise(module).checks[0].outcome is not Outcome.PASSED
    assert_others_full(result, module)


# ----------------------------------------------------------- kill -1

def _worker_has_its_own_pid_namespace() -> bool:
    """Whether the student's process runs in a PID namespace of its own (as
    root, where the OS allows one): only then is kill -1 safe to try here."""
    if not IS_ROOT:
        return False
    from autograder.sandbox.client import Sandbox
    folder = Path(tempfile.mkdtemp(prefix=f"{TOKEN}-pidns-"))
    try:
        (folder / "probe.py").write_text("import os\ndef probe():\n    return os.getpid()\n")
        with Sandbox() as box:
            raw = box.run(folder, "probe", [{"fn": "probe", "args": [], "kwargs": {}}], LIMITS)
        from autograder.sandbox.protocol import read_lines
        result = read_lines(raw.lines, 1).results.get(0)
        return result is not None and result.value is not None and result.value.value == 2
    finally:
        shutil.rmtree(folder, ignore_errors=True)


KILL_ALL = pytest.mark.skipif(
    not _worker_has_its_own_pid_namespace(),
    reason="kill -1 as 'nobody' outside a PID namespace of its own would kill every "
           "'nobody' process on the machine: run these as root where namespaces work")


@KILL_ALL
def test_kill_all_breaks_nothing_in_its_own_grading(submission, grade):
    """kill(-1) spares the caller and cannot reach root's processes; in its
    own PID namespace it finds no process at all (ProcessLookupError), so at
    most its own check is lost and the rest of this grading is whole."""
    module, source = hostile("kill_all")
    result = grade(submission({module: source}), limits=LIMITS)
    lost = [c for c in result.checks() if c.outcome is not Outcome.PASSED]
    assert all(c.function == "numerical_derivative" for c in lost), scores(result)
    assert all("ProcessLookupError" in c.verdict.feedback.summary for c in lost)


@KILL_ALL
def test_kill_all_spares_a_concurrent_grading(submission, tmp_path):
    victim = tmp_path / "victim"
    victim.mkdir()
    for path in SOLUTIONS.glob("*.py"):
        shutil.copyfile(path, victim / path.name)
    slow = (SOLUTIONS / "neuron.py").read_text(encoding="utf-8").replace(
        "    ### BEGIN SOLUTION\n    for _ in range(epochs):",
        "    ### BEGIN SOLUTION\n    import time\n    time.sleep(1.0)\n    for _ in range(epochs):")
    assert slow.count("time.sleep") == 1
    (victim / "neuron.py").write_text(slow, encoding="utf-8")
    outcome = {}

    def grade_victim():
        with Sandbox() as box:
            outcome["result"] = grade_submission(victim, CALCULUS, seed=1, only=("neuron",),
                                                 sandbox=box,
                                                 limits=Limits(time_seconds=20))

    thread = threading.Thread(target=grade_victim)
    thread.start()
    time.sleep(2.0)    # the victim's neuron worker is in its sleeps by now
    module, source = hostile("kill_all")
    with Sandbox() as box:
        grade_submission(submission({module: source}), CALCULUS, seed=1, only=(module,),
                         sandbox=box,
                         limits=LIMITS)
    thread.join(60)
    result = outcome["result"]
    assert result.score == result.max_score, text_of(result, "neuron")


# A daemon started at import by the first exercise: double fork, new
# session, SIGTERM and SIGHUP ignored, named TOKEN; it says it runs (through
# a pipe its worker waits on) and then lingers for at most 20 s.
_LINGERING_DAEMON = '''
import ctypes, os, signal, time
_r, _w = os.pipe()
if os.fork() == 0:
    os.setsid()
    if os.fork():
        os._exit(0)
    for _s in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(_s, signal.SIG_IGN)
    ctypes.CDLL(None).prctl(15, b"@TOKEN@", 0, 0, 0)
    os.write(_w, b"up")
    _end = time.time() + 20.0
    while time.time() < _end:
        time.sleep(0.05)
    os._exit(0)
os.close(_w)
print("DAEMON", os.read(_r, 2).decode(), flush=True)
'''

# Added to a later exercise: does any process other than its own (and the
# server, which it may not signal) live where it runs?  kill(pid -1, 0)
# signals nothing; it fails with ProcessLookupError when there is no one.
_LOOK_FOR_OTHERS = '''
import os as _os
try:
    _os.kill(-1, 0)
    _OTHERS = True
except ProcessLookupError:
    _OTHERS = False
print("OTHERS", _OTHERS, flush=True)
_quadratic_grad = quadratic_grad


def quadratic_grad(x):
    return 0.0 if _OTHERS else _quadratic_grad(x)
'''


@KILL_ALL
def test_processes_left_behind_are_gone_before_the_next_exercise(submission, grade):
    """What one exercise leaves running (a detached daemon here) is killed,
    and reaped, before the next exercise's worker starts: the next one finds
    no process but its own, and scores full marks."""
    derivatives = (SOLUTIONS / "derivatives.py").read_text(encoding="utf-8") \
        + _LINGERING_DAEMON.replace("@TOKEN@", TOKEN)
    descent = (SOLUTIONS / "gradient_descent.py").read_text(encoding="utf-8") \
        + _LOOK_FOR_OTHERS
    result = grade(submission({"derivatives": derivatives, "gradient_descent": descent}),
                   limits=LIMITS)
    assert "DAEMON up" in result.exercise("derivatives").output, "the daemon never ran"
    # The daemon holds the result pipe open; the grader stops waiting when the
    # worker ends instead of waiting out the time budget.
    assert result.exercise("derivatives").elapsed < LIMITS.time_seconds - 0.5
    assert "OTHERS False" in result.exercise("gradient_descent").output, \
        result.exercise("gradient_descent").output
    assert result.score == result.max_score, scores(result)
    assert not marked_processes()


@KILL_ALL
def test_killing_the_server_ends_every_process_of_the_exercise(tmp_path):
    """The process the grader started for the fork server is killed
    mid-exercise, and it alone (the grader kills its whole group): the server
    inside the namespace, the worker and the daemon it detached all end."""
    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "probe.py").write_text(
        _LINGERING_DAEMON.replace("@TOKEN@", TOKEN)
        + "import ctypes, time\n"
        + f"ctypes.CDLL(None).prctl(15, b'{TOKEN}', 0, 0, 0)\n"
        + "def probe():\n    time.sleep(20)\n    return 1\n", encoding="utf-8")
    box = Sandbox()
    box.start()
    server = box._proc.pid

    def run():
        try:
            box.run(folder, "probe", [{"fn": "probe", "args": [], "kwargs": {}}],
                    Limits(time_seconds=30, memory_bytes=512 * MIB, output_bytes=64 * 1024))
        except Exception:
            pass   # the server is gone under it: whatever it reports is moot

    thread = threading.Thread(target=run)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while len(marked_processes()) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(marked_processes()) >= 2, "the worker and its daemon never ran"
    finally:
        os.kill(server, signal.SIGKILL)   # only the process the grader started
        thread.join(30)
        box.close()
    deadline = time.monotonic() + 5
    while marked_processes() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not marked_processes(), marked_processes()


# ------------------------------- what a worker shares with the machine

# Without root nothing below is closed: the worker runs as the grader's own
# user in the grader's namespaces (README, "How student code is kept at
# arm's length").
ROOT_ONLY = pytest.mark.xfail(not IS_ROOT, strict=True, reason=(
    "without root the worker shares the grader's IPC, network, /proc and files"))


def _remove_ipc_channel(key: int, queue: str) -> list[str]:
    """Remove, from the grader's own IPC namespace, the segment with ``key``
    and the message queue ``queue``; return which of them were there."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    found = []
    shmid = libc.shmget(key, 0, 0)
    if shmid >= 0:
        found.append("segment")
        libc.shmctl(shmid, 0, None)   # IPC_RMID
    if libc.mq_unlink(queue.encode()) == 0:
        found.append("queue")
    return found


@ROOT_ONLY
def test_shared_memory_dies_with_the_worker(submission, grade):
    """A SysV segment and a POSIX queue left by one student are gone when the
    next student runs, and nothing of them stays on the machine."""
    key = 0x48000000 | int(TOKEN[2:], 16) & 0xFFFFFF
    module, source = hostile("ipc_channel", key=key, marker=TOKEN)
    folder = submission({module: source})
    try:
        first = grade(folder, only=(module,), limits=LIMITS)
        assert "LEFT segment queue" in first.exercise(module).output, first.exercise(module).output
        second = grade(folder, only=(module,), limits=LIMITS)
        assert "FOUND" not in second.exercise(module).output, second.exercise(module).output
        assert second.score == second.max_score, scores(second)
    finally:
        left = _remove_ipc_channel(key, "/" + TOKEN)
    assert not left, f"left on the machine: {left}"


@ROOT_ONLY
def test_lock_folders_are_not_a_channel(submission, grade):
    module, source = hostile("lock_channel", marker=TOKEN)
    folder = submission({module: source})
    try:
        first = grade(folder, only=(module,), limits=LIMITS)
        assert "LEFT /run/lock/" in first.exercise(module).output, first.exercise(module).output
        second = grade(folder, only=(module,), limits=LIMITS)
        assert "FOUND" not in second.exercise(module).output, second.exercise(module).output
        assert second.score == second.max_score, scores(second)
    finally:
        left = [p for p in Path("/run/lock").glob(f"{TOKEN}*")]
        for path in left:
            path.unlink(missing_ok=True)
    assert not left, left


@ROOT_ONLY
def test_services_on_the_loopback_are_out_of_reach(submission, grade):
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        module, source = hostile("loopback", port=listener.getsockname()[1])
        result = grade(submission({module: source}), only=(module,), limits=LIMITS)
        listener.setblocking(False)
        try:
            listener.accept()[0].close()
            reached = True
        except BlockingIOError:
            reached = False
    output = result.exercise(module).output
    assert "no connection" in output and not reached, output
    assert result.score == result.max_score, scores(result)


@ROOT_ONLY
def test_other_processes_command_lines_are_out_of_sight(submission, grade):
    """A process of the machine whose command line holds --seed (as the
    grader's does) is not in the worker's /proc."""
    marker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)",
                               "--seed", TOKEN])
    try:
        module, source = hostile("proc_cmdline")
        result = grade(submission({module: source}), only=(module,), limits=LIMITS)
    finally:
        marker.kill()
        marker.wait()
    output = result.exercise(module).output
    assert "FOUND" not in output and "PROCESSES" in output, output
    assert result.score == result.max_score, scores(result)


@ROOT_ONLY
def test_classmates_and_the_out_folder_are_out_of_reach(tmp_path):
    """In grade-class, a student reads neither a classmate's folder nor the
    OUT folder, wherever they are (here outside /tmp, which the worker has
    always had a fresh one of)."""
    from autograder.channels.class_grading import grade_class
    base = Path("/run") if os.access("/run", os.W_OK) else tmp_path
    place = Path(tempfile.mkdtemp(prefix=f"{TOKEN}-class-", dir=base))
    try:
        os.chmod(place, 0o755)
        klass, out = place / "class", place / "out"
        for name in ("a", "b"):
            (klass / name).mkdir(parents=True)
            for path in SOLUTIONS.glob("*.py"):
                shutil.copyfile(path, klass / name / path.name)
        module, source = hostile("read_class", sibling=klass / "b", out=out)
        (klass / "a" / f"{module}.py").write_text(source, encoding="utf-8")
        grade_class(klass, out, workers=1, seed=1, limits=LIMITS, progress=False)
        data = json.loads((out / "a" / "results.json").read_text(encoding="utf-8"))
        assert data["score"] == 100, (out / "a" / "feedback.txt").read_text(encoding="utf-8")
    finally:
        shutil.rmtree(place, ignore_errors=True)


@ROOT_ONLY
def test_working_copy_is_capped_and_off_the_disk(submission, grade):
    module, source = hostile("workdir_flood")
    result = grade(submission({module: source}), only=(module,), limits=MEMORY)
    output = result.exercise(module).output
    match = re.search(r"WROTE (\d+) FILES (\d+) BYTES", output)
    assert match, output
    files, size = int(match[1]), int(match[2])
    assert files < 3000 and size <= 64 * MIB, output
    assert result.score == result.max_score, scores(result)
