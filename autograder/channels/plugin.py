"""pytest plugin: grade a submission folder as a pytest run.

``pytest`` in the repository grades ``exercises/calculus`` (the
``submission`` ini key); ``pytest --submission PATH`` grades whatever
``grade`` takes -- a folder of an assignment's modules, the modules one
folder down, nbgrader notebooks, a .zip -- read by the same intake
(:mod:`autograder.intake.submission`).  ``--assignment NAME`` (or the ``assignment``
ini key) says which assignment; by default, the one whose modules are found.
Each check is one test item; the whole submission is graded once, in the
sandbox, when the first item runs.  Failures show the check's feedback, not
the grader's traceback, and the run ends with the score table.

A bare ``pytest`` (no paths, no ``testpaths``) in a folder that holds an
assignment's modules and no test files grades that folder: where the
student is.  Otherwise the plugin does nothing unless a submission folder
is named, so the project's own tests (``pytest tests``) are unaffected;
a run that collects no tests in a folder of modules says in one line what
to run.

``--seed N`` means what it means for ``python -m autograder grade``; it is
an alias of ``--grader-seed`` (kept), added only where no other plugin
has taken ``--seed``.
"""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from autograder.engine.config import HELP, ConfigError, resolve
from autograder.channels.feedback import render_check
from autograder.engine.outcomes import CheckResult, Outcome, SubmissionResult

if TYPE_CHECKING:
    from autograder.engine.spec import Assignment

# Every pytest run in an environment with this package loads the plugin:
# the course (numpy and all the exercises) is imported only when a
# submission is graded, so the help texts name no module.
SUBMISSION_HELP = ("what to grade: a folder holding an assignment's modules, their .ipynb "
                   "notebooks, the modules one folder down, or a .zip of them (as "
                   "`python -m autograder grade` takes it)")
ASSIGNMENT_HELP = ("the assignment to grade (`python -m autograder grade --help` names "
                   "them; default: the one whose modules the submission holds)")


class GradingState:
    """Run state, kept in the config's stash (no module-level state).
    ``submission``: the path handed in; ``modules``: the folder of modules
    the intake made of it (temporary ones are removed at unconfigure)."""

    def __init__(self, submission: Path, settings, rootdir: Path):
        self.submission = submission
        self.settings = settings
        self.rootdir = rootdir
        self.result: SubmissionResult | None = None
        self.error: str | None = None
        self.course: Assignment | None = None       # asked for (None: inferred)
        self.assignment: Assignment | None = None   # graded
        self.modules: Path | None = None
        self.source: Path | None = None
        self.intake = contextlib.ExitStack()

    def take(self) -> None:
        """Hand the submission to the intake (once); what cannot be graded
        is a usage error naming the reason."""
        from autograder.intake.submission import NotGradable, intake
        if self.modules is not None:
            return
        try:
            from autograder.course import looked_for
            handed_in = self.intake.enter_context(intake(self.submission,
                                                         looked_for(self.course)))
        except NotGradable as exc:
            raise pytest.UsageError(str(exc)) from None
        self.assignment, self.modules = handed_in.assignment, handed_in.folder
        self.source = handed_in.source

    def grade(self) -> SubmissionResult:
        if self.result is None:
            from autograder.engine.runner import grade_submission
            result = grade_submission(self.modules, self.assignment, seed=self.settings.seed,
                                      limits=self.settings.limits)
            self.result = dataclasses.replace(result, submission=str(self.source))
        return self.result


STATE = pytest.StashKey[GradingState]()


def _taken(parser: pytest.Parser, name: str) -> bool:
    """Whether another plugin has already added the option ``name``."""
    groups = [*getattr(parser, "_groups", ()), getattr(parser, "_anonymous", None)]
    return any(name in option.names() for group in groups if group is not None
               for option in group.options)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("autograder", "exercise grading")
    group.addoption("--submission", metavar="PATH", help=SUBMISSION_HELP)
    parser.addini("submission", SUBMISSION_HELP + " (relative to the rootdir)")
    group.addoption("--assignment", metavar="NAME", help=ASSIGNMENT_HELP)
    parser.addini("assignment", ASSIGNMENT_HELP)
    for key in ("seed", "timeout", "memory", "output"):
        group.addoption(f"--grader-{key}", dest=f"grader_{key}", help=HELP[key])


def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser,
                                  args: list[str]) -> None:
    """``--seed``, as ``grade`` spells it, once every plugin has added its
    options (this runs after all of them are loaded, before conftest.py
    files): only if no other plugin has taken it.  --grader-seed stays."""
    if not _taken(parser, "--seed"):
        parser.getgroup("autograder").addoption(
            "--seed", dest="grader_seed",
            help=HELP["seed"] + " (as for `python -m autograder grade`; the same as "
            "--grader-seed)")


def pytest_configure(config: pytest.Config) -> None:
    option = config.getoption("submission")
    ini = config.getini("submission")
    if option or ini:
        folder = Path(option) if option else config.rootpath / ini
    else:
        folder = modules_here(config)
        if folder is None:
            return
    try:
        settings = resolve({k: config.getoption(f"grader_{k}")
                            for k in ("seed", "timeout", "memory", "output")},
                           folder=config.rootpath, option_prefix="--grader-")
    except ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None
    if settings.seed is None:
        from autograder.engine.runner import new_seed
        settings = type(settings)(settings.limits, new_seed())
    course = chosen_assignment(config)
    state = GradingState(folder.absolute(), settings, config.rootpath)
    config.stash[STATE] = state
    state.course = course
    if config.args_source != pytest.Config.ArgsSource.ARGS:
        # With no paths given, collect the grader's own package folder as a
        # stand-in for the submission: pytest loads conftest.py files from
        # the folders it collects, and one shipped in a submission must never
        # run in this process.
        config.args = [str(ANCHOR)]
    if option or config.args == [str(ANCHOR)]:
        state.take()    # a submission that cannot be graded: a usage error, now


TEST_FILES = ("test_*.py", "*_test.py")
SKIPPED = {".git", ".venv", "venv", "__pycache__", "node_modules", ".ipynb_checkpoints"}


def has_test_files(folder: Path, limit: int = 5000) -> bool:
    """Whether pytest would find test files of the user's own in ``folder``
    (looked for in up to ``limit`` entries, skipping environments and
    hidden folders; beyond it, assumed)."""
    seen = 0
    stack = [folder]
    while stack:
        try:
            entries = list(stack.pop().iterdir())
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > limit:
                return True
            if entry.is_dir() and not entry.is_symlink():
                if entry.name not in SKIPPED and not entry.name.startswith("."):
                    stack.append(entry)
            elif any(entry.match(pattern) for pattern in TEST_FILES):
                return True
    return False


def holds_modules(folder: Path) -> str | None:
    """The name of an assignment some of whose modules (``.py`` or
    ``.ipynb``) are in ``folder``, or None."""
    if not any(folder.glob("*.py")) and not any(folder.glob("*.ipynb")):
        return None      # no need to import the course (and numpy)
    from autograder.course import ASSIGNMENTS
    for name, assignment in ASSIGNMENTS.items():
        if any((folder / f"{m}{suffix}").is_file() for m in assignment.modules
               for suffix in (".py", ".ipynb")):
            return name
    return None


def modules_here(config: pytest.Config) -> Path | None:
    """The folder to grade when ``pytest`` is run bare (no paths, no
    ``testpaths``) where the student is: the invocation folder, if it holds
    an assignment's modules and no test files of its own."""
    if config.args_source is not pytest.Config.ArgsSource.INVOCATION_DIR:
        return None
    here = config.invocation_params.dir
    if holds_modules(here) is None or has_test_files(here):
        return None
    return here


def chosen_assignment(config: pytest.Config) -> Assignment | None:
    """``--assignment``, else the ``assignment`` ini key, else None (the
    intake infers it); an unknown name is a usage error naming the choices."""
    from autograder.course import assignment
    option, ini = config.getoption("assignment"), config.getini("assignment")
    name, where = (option, "--assignment") if option else (ini, "the assignment ini key")
    if not name:
        return None
    try:
        return assignment(name)
    except ValueError as exc:
        raise pytest.UsageError(f"{where}: {exc}") from None


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is not None:
        state.intake.close()


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    state = config.stash.get(STATE, None)
    if state is None or not any(Path(a).resolve() in (state.submission.resolve(), ANCHOR)
                                for a in config.args):
        return None
    flag = "--seed" if _seed_is_ours(config) else "--grader-seed"
    return [f"grading: {state.submission} (seed {state.settings.seed}; "
            f"regrade with {flag} {state.settings.seed})"]


def _seed_is_ours(config: pytest.Config) -> bool:
    """Whether ``--seed`` is this plugin's alias of ``--grader-seed``."""
    return any("--seed" in option.names()
               for option in config._parser.getgroup("autograder").options)


ANCHOR = Path(__file__).resolve().parent


def pytest_collect_directory(path: Path, parent: pytest.Collector):
    state = parent.config.stash.get(STATE, None)
    if state is None:
        return None
    if path.resolve() == ANCHOR and parent.config.args == [str(ANCHOR)]:
        return SubmissionDir.from_parent(parent, path=path,
                                         nodeid=state.submission.name or "submission")
    if path.resolve() == state.submission.resolve():   # named on the command line
        state.take()
        return SubmissionDir.from_parent(parent, path=path)
    return None


class SubmissionDir(pytest.Directory):
    """The submission as a collector.  Its nodes keep the collected folder
    as their path (conftest.py files are looked up from a node's path), and
    show the submission's files only in their reports."""

    def collect(self):
        for exercise in self.config.stash[STATE].assignment.exercises:
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
        self.user_properties.append(("outcome", check.outcome.value))   # for --junitxml
        if check.outcome is not Outcome.PASSED:
            raise CheckFailed(check)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            return render_check(excinfo.value.result)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        source = self.config.stash[STATE].source
        shown = source / f"{self.module}.py" if source.is_dir() else source
        return shown, None, f"{self.module}: {self.check_name} ({self.points:g} points)"


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is None and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        _say_what_to_run(terminalreporter, config)
    if state is None or state.result is None:
        return
    from autograder.channels.report import score_table
    terminalreporter.section("score")
    terminalreporter.write_line(score_table(state.result))


def _say_what_to_run(terminalreporter, config: pytest.Config) -> None:
    """No tests ran, in a folder holding an assignment's modules: one line
    saying how to grade them."""
    folders = {config.invocation_params.dir}
    folders |= {(p if p.is_dir() else p.parent) for p in
                (config.invocation_params.dir / a.split("::")[0] for a in config.args)}
    for folder in sorted(folders):
        name = holds_modules(folder)
        if name is not None:
            shown = "." if folder == config.invocation_params.dir else str(folder)
            terminalreporter.write_line(
                f"{shown} holds the {name} modules: grade them with `pytest --submission "
                f"{shown}` (or `python -m autograder grade {shown}`)")
            return
