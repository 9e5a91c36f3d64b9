"""Grade a whole class: every student folder under a root, in parallel,
resumably.

Per student, ``OUT/<student>/feedback.txt`` and ``OUT/<student>/results.json``
(the contract's format) are written atomically, results.json last: its
presence means the student is graded, so a run killed at any moment and
started again grades only who is missing.  ``OUT/grades.csv`` is rebuilt
from all results files at the end of every run, so nobody is counted twice.
The seed of the class is chosen once and kept in ``OUT/class.json``, so a
resumed run grades the rest with the same hidden inputs.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import fcntl
import io
import json
import multiprocessing
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from autograder.engine.config import Limits
from autograder.course import ASSIGNMENTS, DEFAULT
from autograder.channels.report import write_atomic
from autograder.engine.spec import Assignment


def columns(course: Assignment) -> tuple[str, ...]:
    """grades.csv's header for ``course``: a column per module."""
    return ("student", *course.modules, "total", "seed", "status")


COLUMNS = columns(ASSIGNMENTS[DEFAULT])
RESULTS, FEEDBACK, CLASS_FILE, GRADES = "results.json", "feedback.txt", "class.json", "grades.csv"
CHECKS, MISCONCEPTIONS = "checks.csv", "misconceptions.csv"
LOCK = ".grade-class.lock"          # in OUT while a run grades into it
RUN_PREFIX = "autograder-class-"    # a run's temporary folder, in the system's


class ClassError(ValueError):
    """The class cannot be graded at all (ROOT missing, OUT not writable)."""


class OutError(ClassError):
    """Writing into OUT failed (a full disk, say): the class cannot go on."""

    def __init__(self, path: Path, exc: OSError):
        super().__init__(f"{path}: cannot write there ({exc.strerror or exc}); "
                         "free some space (or give another --out) and run again")


@dataclass(frozen=True)
class ClassSummary:
    students: int
    graded_now: int
    skipped: int
    grades_csv: Path
    common_misconceptions: tuple[str, ...] = ()   # the class's most frequent, with counts


def find_students(root: Path) -> list[Path]:
    """One folder per student, in name order (hidden folders skipped; a
    symbolic link to a folder is listed, to get its row and the reason it
    is not graded)."""
    try:
        return sorted(p for p in root.iterdir() if not p.name.startswith(".")
                      and (p.is_symlink() and p.is_dir() or _real_dir(p)))
    except OSError as exc:
        raise ClassError(f"{root}: cannot read the class folder ({exc.strerror or exc})"
                         ) from None


def _real_dir(path: Path) -> bool:
    """A folder, and not a symbolic link to one (nothing a submission links
    to outside itself is ever read)."""
    try:
        return not path.is_symlink() and path.is_dir()
    except OSError:
        return False


def prepare_out(out: Path, seed: int | None, course: Assignment = ASSIGNMENTS[DEFAULT]) -> int:
    """Make OUT (or check it is writable) and settle the class's seed; OUT
    holds one assignment's grades (a class.json without one is calculus's,
    from before there were two)."""
    _writable(out)
    record = out / CLASS_FILE
    if record.is_file():
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            kept, graded = data["seed"], data.get("assignment", DEFAULT)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise ClassError(f"{record}: unreadable; delete it to start the class afresh") from None
        if graded != course.name:
            raise ClassError(f"{out} holds the grades of assignment {graded}; give another "
                             f"--out for {course.name} (or --assignment {graded})")
        if seed is not None and seed != kept:
            raise ClassError(f"{out} was graded with seed {kept}; use --seed {kept}, "
                             "or --regrade to grade everyone again with a new seed")
        return int(kept)
    from autograder.engine.runner import new_seed
    chosen = new_seed() if seed is None else seed
    _write(record, json.dumps({"seed": chosen, "assignment": course.name}) + "\n")
    return chosen


def _writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".probe-")
        probe.close()
    except OSError as exc:
        raise ClassError(f"{out}: cannot write there ({exc.strerror or exc}); "
                         "give a folder you may write to with --out") from None


def _write(path: Path, text: str) -> None:
    """write_atomic into OUT; a failure (a full disk) stops the class."""
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise OutError(path, exc) from None


@contextlib.contextmanager
def holding_out(out: Path):
    """An exclusive lock on OUT for this run (``OUT/.grade-class.lock``,
    flock), or ClassError saying which run holds it.  Two runs grading into
    one OUT would each record their own seed in class.json, and their
    rows would disagree on it.  The lock file says who holds it; it is
    removed when the run ends (a run killed outright leaves it unlocked,
    and the next run takes it over)."""
    path = out / LOCK
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise ClassError(f"{path}: cannot create the run's lock ({exc.strerror or exc})"
                             ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            with os.fdopen(fd, "rb") as fh:
                holder = fh.read(400).decode("utf-8", "replace").strip() or "a run starting"
            raise ClassError(f"{out} is being graded by another run ({holder}); wait for it "
                             "to end, or stop it, or give another --out") from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except OSError:
            same = False
        if same:
            break
        os.close(fd)     # the run before removed the file between our open and lock
    try:
        started = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime())
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}, "
                     f"started {started}\n".encode())
    except OSError:
        pass             # who holds it is a courtesy; the lock is what counts
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


@contextlib.contextmanager
def run_folder():
    """A temporary folder for everything this run (and its pool processes)
    creates -- fork servers' working copies, notebooks read as modules,
    unpacked zips --, removed at the end.  It holds a lock while the run
    lives, so a run killed outright (SIGKILL: nothing of it can clean up)
    leaves a folder the next run recognises and removes."""
    sweep_killed_runs()
    folder = Path(tempfile.mkdtemp(prefix=RUN_PREFIX))
    os.chmod(folder, 0o711)         # the sandbox's unprivileged worker passes through
    fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        os.close(fd)


def sweep_killed_runs(base: Path | None = None) -> list[Path]:
    """Remove the temporary folders of runs that were killed: this user's
    ``autograder-class-*`` folders whose lock nobody holds.  Returns them."""
    base = Path(base or tempfile.gettempdir())
    swept = []
    try:
        candidates = list(base.glob(RUN_PREFIX + "*"))
    except OSError:
        return swept
    for folder in candidates:
        try:
            info = os.lstat(folder)
            fd = os.open(folder / LOCK, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue     # not a run's folder, or one still being made
        try:
            if not (os.path.isdir(folder) and not os.path.islink(folder)
                    and info.st_uid == os.getuid()):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue     # a live run's
            shutil.rmtree(folder, ignore_errors=True)
            swept.append(folder)
        finally:
            os.close(fd)
    return swept


# ------------------------------------------------------------ one student



def grade_student(student: Path, out: Path, seed: int, limits: Limits,
                  assignment: str = DEFAULT) -> str:
    """Grade one student on ``assignment`` (its name: what crosses to a pool
    process is plain data, as exercises hold functions) and write their
    files; returns the status.  Raises OutError only when OUT cannot be
    written (which stops the class)."""
    course = ASSIGNMENTS[assignment]
    target = out / student.name
    try:
        target.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutError(target, exc) from None
    status, data, feedback = _grade(student, seed, limits, course)
    _write(target / FEEDBACK, feedback)
    _write(target / RESULTS, json.dumps(data, indent=2) + "\n")   # last: the done mark
    return status


def _grade(student: Path, seed: int, limits: Limits,
           course: Assignment) -> tuple[str, dict, str]:
    """(status, results.json's data, feedback.txt's text) of one student."""
    from autograder.intake.submission import NotGradable, intake
    from autograder.channels.report import details, gradescope, score_table
    from autograder.engine.runner import SubmissionError, grade_submission
    from autograder.sandbox.client import process_sandbox

    def ungraded(refusal: NotGradable) -> tuple[str, dict, str]:
        return refusal.status, refusal.results(seed), refusal.status + "\n"

    if student.is_symlink():     # the path handed in is taken as given: not here
        return ungraded(NotGradable(
            f"{student.name} is a symbolic link to a folder, and grade-class follows no "
            "link; put the folder itself in the class folder"))
    try:
        with intake(student, (course,)) as handed_in:   # notebooks, zips: as modules
            result = grade_submission(handed_in.folder, course, seed=seed, limits=limits,
                                      sandbox=process_sandbox())
        result = dataclasses.replace(result, submission=str(handed_in.source))
    except Exception as exc:                  # one student never stops the class
        if isinstance(exc, NotGradable):
            return ungraded(exc)
        if isinstance(exc, SubmissionError):
            return ungraded(NotGradable(str(exc)))
        if isinstance(exc, OSError):
            return ungraded(NotGradable(f"cannot read {exc.filename or student} "
                                        f"({exc.strerror or exc})"))
        return ungraded_error(f"grader error: {type(exc).__name__}: {exc}", seed)
    status = class_status(result)
    data = gradescope(result)
    data["extra_data"]["status"] = status
    return status, data, (details(result) + "\n\n" + score_table(result)).lstrip() + "\n"


def ungraded_error(status: str, seed: int) -> tuple[str, dict, str]:
    """A grader bug on one student: a zero that says so (not the student's fault)."""
    return status, {"score": 0, "tests": [], "output": status,
                    "extra_data": {"seed": seed, "status": status}}, status + "\n"


def class_status(result) -> str:
    from autograder.engine.outcomes import Outcome
    outcomes = [c.outcome for c in result.checks()]
    if all(o is Outcome.NOT_ATTEMPTED for o in outcomes):
        return "not attempted"
    limits = sum(o is Outcome.LIMIT for o in outcomes)
    crashed = sum(o is Outcome.ERROR for o in outcomes)
    parts = [f"{n} {what}" for n, what in ((limits, "hit a limit"), (crashed, "crashed")) if n]
    return "graded" + (f" ({', '.join(parts)})" if parts else "")


# ------------------------------------------------------------- the class

def _pool_process(parent: int | None, tmp: str) -> None:
    """In a pool process: it dies with the run, however the run ends (even
    by SIGKILL, which leaves no chance to stop it); Ctrl-C and SIGTERM are
    for the parent, which lets the students being graded finish rather than
    leave them half done; and its temporary folders go into the run's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with(parent)
    tempfile.tempdir = tmp


def _die_with(parent: int | None) -> None:
    """SIGKILL this process when its parent ends (``parent``: its pid, to
    catch a parent that ended before the call; None when unknown)."""
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (a `kill`, a stopped service or container) handled as Ctrl-C:
    the students being graded finish, the tables are written, the run says
    how to go on."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def sweep_half_written(out: Path) -> list[Path]:
    """Remove the temporary files of writes a killed run left unfinished
    (report.write_atomic's ``.<name>.<random>`` beside each file it writes).
    Only under the run's lock on OUT, so no other run is writing them."""
    names = (RESULTS, FEEDBACK, CLASS_FILE, GRADES, CHECKS, MISCONCEPTIONS)
    stale = [p for name in names for folder in ("", "*")
             for p in out.glob(f"{folder}/.{name}.*" if folder else f".{name}.*")
             if p.is_file() and not p.is_symlink()]
    for path in stale:
        try:
            path.unlink()
        except OSError:
            pass
    return stale


def grade_class(root: Path, out: Path, *, workers: int | None = None, regrade: bool = False,
                seed: int | None = None, limits: Limits = Limits(),
                progress: bool = True,
                assignment: Assignment = ASSIGNMENTS[DEFAULT]) -> ClassSummary:
    """Grade every student folder under ``root`` for ``assignment`` into
    ``out`` (one assignment per OUT)."""
    root, out = Path(root), Path(out)
    if not root.exists():
        raise ClassError(f"{root}: no such folder; give the folder that holds one folder "
                         "per student")
    if not root.is_dir():
        raise ClassError(f"{root}: not a folder; give the folder that holds one folder "
                         "per student")
    if out.resolve() == root.resolve() or root.resolve() in out.resolve().parents:
        raise ClassError(f"{out}: inside the class folder {root}; put the results elsewhere")
    _writable(out)
    with holding_out(out):
        sweep_half_written(out)
        if regrade and (out / CLASS_FILE).is_file():
            (out / CLASS_FILE).unlink()
        seed = prepare_out(out, seed, assignment)
        students = find_students(root)
        kept = {} if regrade else {
            s.name: data for s in students
            if (data := read_results(out / s.name / RESULTS, assignment)) is not None}
        todo = [s for s in students if s.name not in kept]
        workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
        with run_folder() as tmp, _terminate_as_interrupt():
            try:
                _grade_all(todo, out, seed, limits, workers, progress, tmp, assignment)
            finally:   # however it ended (Ctrl-C, SIGTERM): the tables of who is graded
                csv_path, common = write_grades(out, students, kept, assignment)
    return ClassSummary(len(students), len(todo), len(students) - len(todo), csv_path, common)


def _grade_all(todo: list[Path], out: Path, seed: int, limits: Limits, workers: int,
               progress: bool, tmp: Path, course: Assignment) -> None:
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(todo), unit="student", desc="grading", dynamic_ncols=True)
    previous_tmp = tempfile.tempdir
    try:
        if workers == 1:
            tempfile.tempdir = str(tmp)
            for student in todo:
                grade_student(student, out, seed, limits, course.name)
                if bar:
                    bar.update()
        else:
            context = multiprocessing.get_context()
            parent = os.getpid() if context.get_start_method() == "fork" else None
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                       initializer=_pool_process, initargs=(parent, str(tmp)))
            try:
                futures = [pool.submit(grade_student, s, out, seed, limits, course.name)
                           for s in todo]
                for future in as_completed(futures):
                    future.result()
                    if bar:
                        bar.update()
            finally:      # on Ctrl-C: who is being graded finishes, nobody new starts
                pool.shutdown(wait=True, cancel_futures=True)
    finally:
        if bar:
            bar.close()
        from autograder.sandbox.client import close_process_sandbox
        close_process_sandbox()
        tempfile.tempdir = previous_tmp


def read_results(path: Path, course: Assignment = ASSIGNMENTS[DEFAULT]) -> dict | None:
    """A student's results.json if it is there and has the shape grade-class
    writes for ``course`` (each test's outcome among its named fields, see
    :func:`autograder.channels.report.gradescope`); None otherwise (missing,
    half-written, written by an older version, or edited by hand into
    something else), and the student is graded again."""
    modules = course.modules
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    def number(x) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)
    def test_ok(t) -> bool:
        return (isinstance(t, dict) and isinstance(t.get("name"), str) and number(t.get("score"))
                and isinstance(t.get("tags"), list) and bool(t["tags"])
                and all(isinstance(tag, str) for tag in t["tags"]) and t["tags"][0] in modules
                and isinstance(t.get("extra_data"), dict)
                and isinstance(t["extra_data"].get("outcome"), str))
    if not (isinstance(data, dict) and number(data.get("score"))
            and isinstance(data.get("tests"), list) and all(map(test_ok, data["tests"]))
            and isinstance(data.get("extra_data", {}), dict)):
        return None
    return data


def write_grades(out: Path, students: list[Path], known: dict[str, dict] | None = None,
                 course: Assignment = ASSIGNMENTS[DEFAULT]) -> tuple[Path, tuple[str, ...]]:
    """grades.csv from the results files: one row per graded student; and
    the class's checks.csv and misconceptions.csv (see class_report).
    ``known`` holds results already read this run (by student), which are
    not read again.  Returns grades.csv's path and the most frequent
    misconceptions."""
    from autograder.channels.class_report import checks_csv, misconceptions_csv, most_common, tally
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns(course))
    results = []
    for student in students:
        data = (known or {}).get(student.name) or read_results(out / student.name / RESULTS, course)
        if data is None:
            continue
        results.append(data)
        per_module = {m: 0.0 for m in course.modules}
        for test in data.get("tests", []):
            per_module[test["tags"][0]] += test["score"]
        extra = data.get("extra_data", {})
        writer.writerow([student.name, *(f"{per_module[m]:g}" for m in course.modules),
                         f"{data['score']:g}", extra.get("seed", ""), extra.get("status", "")])
    csv_path = out / GRADES
    _write(csv_path, buffer.getvalue())
    counted = tally(results, course)
    _write(out / CHECKS, checks_csv(counted))
    _write(out / MISCONCEPTIONS, misconceptions_csv(counted))
    return csv_path, tuple(most_common(counted))
