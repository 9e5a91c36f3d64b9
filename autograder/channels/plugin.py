"""pytest plugin: grade a submission folder as a pytest run.

``pytest`` in the repository grades ``exercises/`` (the ``submission`` ini
key); ``pytest --submission DIR`` grades any folder holding the four modules.
Each check is one test item; the whole submission is graded once, in the
sandbox, when the first item runs.  Failures show the check's feedback, not
the grader's traceback, and the run ends with the score table.

The plugin does nothing unless a submission folder is named, so the
project's own tests (``pytest tests``) are unaffected.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.engine.config import HELP, ConfigError, resolve
from autograder.channels.feedback import render_check
from autograder.engine.outcomes import CheckResult, Outcome, SubmissionResult

SUBMISSION_HELP = ("folder holding derivatives.py, gradient_descent.py, weight_updates.py "
                   "and neuron.py, to be graded")


class GradingState:
    """Run state, kept in the config's stash (no module-level state)."""

    def __init__(self, submission: Path, settings, rootdir: Path):
        self.submission = submission
        self.settings = settings
        self.rootdir = rootdir
        self.result: SubmissionResult | None = None
        self.error: str | None = None

    def grade(self) -> SubmissionResult:
        if self.result is None:
            from autograder.course import CALCULUS
            from autograder.engine.runner import grade_submission
            self.result = grade_submission(self.submission, CALCULUS, seed=self.settings.seed,
                                           limits=self.settings.limits)
        return self.result


STATE = pytest.StashKey[GradingState]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograder", "calculus exercise grading")
    group.addoption("--submission", metavar="DIR", help=SUBMISSION_HELP)
    parser.addini("submission", SUBMISSION_HELP + " (relative to the rootdir)")
    for key in ("seed", "timeout", "memory", "output"):
        group.addoption(f"--grader-{key}", dest=f"grader_{key}", help=HELP[key])


def pytest_configure(config: pytest.Config) -> None:
    option = config.getoption("submission")
    ini = config.getini("submission")
    if not option and not ini:
        return
    folder = Path(option) if option else config.rootpath / ini
    try:
        settings = resolve({k: config.getoption(f"grader_{k}")
                            for k in ("seed", "timeout", "memory", "output")},
                           folder=config.rootpath, option_prefix="--grader-")
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    if settings.seed is None:
        from autograder.engine.runner import new_seed
        settings = type(settings)(settings.limits, new_seed())
    config.stash[STATE] = GradingState(folder.resolve(), settings, config.rootpath)
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        # With no paths given, collect the grader's own package folder as a
        # stand-in for the submission: pytest loads conftest.py files from
        # the folders it collects, and one shipped in a submission must never
        # run in this process.
        config.args = [str(ANCHOR)]
    if option:
        from autograder.course import CALCULUS
        from autograder.engine.runner import SubmissionError, check_submission
        try:
            check_submission(folder, CALCULUS.modules)
        except SubmissionError as exc:
            raise pytest.UsageError(str(exc)) from None


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    state = config.stash.get(STATE, None)
    if state is None or not any(Path(a).resolve() in (state.submission, ANCHOR)
                                for a in config.args):
        return None
    return [f"grading: {state.submission} (seed {state.settings.seed}; "
            f"regrade with --grader-seed {state.settings.seed})"]


ANCHOR = Path(__file__).resolve().parent


def pytest_collect_directory(path: Path, parent: pytest.Collector):
    state = parent.config.stash.get(STATE, None)
    if state is None:
        return None
    if path.resolve() == ANCHOR and parent.config.args == [str(ANCHOR)]:
        return SubmissionDir.from_parent(parent, path=path,
                                         nodeid=state.submission.name or "submission")
    if path.resolve() == state.submission:   # named on the command line
        return SubmissionDir.from_parent(parent, path=path)
    return None


class SubmissionDir(pytest.Directory):
    """The submission as a collector.  Its nodes keep the collected folder
    as their path (conftest.py files are looked up from a node's path), and
    show the submission's files only in their reports."""

    def collect(self):
        from autograder.course import EXERCISES
        for exercise in EXERCISES:
            yield ExerciseNode.from_parent(self, name=f"{exercise.module}.py", path=self.path,
                                           exercise=exercise)


class ExerciseNode(pytest.Collector):
    def __init__(self, *, exercise, **kwargs):
        super().__init__(**kwargs)
        self.exercise = exercise

    def collect(self):
        for check in self.exercise.checks:
            yield CheckItem.from_parent(self, name=check.name, module=self.exercise.module,
                                        check_name=check.name, points=check.points)


class CheckFailed(Exception):
    def __init__(self, result: CheckResult):
        super().__init__(result.name)
        self.result = result


class CheckItem(pytest.Item):
    def __init__(self, *, module: str, check_name: str, points: float, **kwargs):
        super().__init__(**kwargs)
        self.module, self.check_name, self.points = module, check_name, points
        self.user_properties.append(("points", points))

    def runtest(self) -> None:
        state = self.config.stash[STATE]
        result = state.grade()
        check = next(c for c in result.exercise(self.module).checks if c.name == self.check_name)
        self.user_properties.append(("score", check.score))
        if check.outcome is not Outcome.PASSED:
            raise CheckFailed(check)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            return render_check(excinfo.value.result)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        shown = self.config.stash[STATE].submission / f"{self.module}.py"
        return shown, None, f"{self.module}: {self.check_name} ({self.points:g} points)"


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is None or state.result is None:
        return
    from autograder.channels.report import score_table
    terminalreporter.section("score")
    terminalreporter.write_line(score_table(state.result))
