"""Grade a whole class: every student folder under a root, in parallel,
resumably.

Per student, ``OUT/<student>/feedback.txt`` and ``OUT/<student>/results.json``
(the contract's format) are written atomically, results.json last: its
presence means the student is graded, so a run killed at any moment and
started again grades only who is missing.  ``OUT/grades.csv`` is rebuilt
from all results files at the end of every run, so nobody is counted twice.
The seed of the class is chosen once and kept in ``OUT/class.json``, so a
resumed run grades the rest with the same hidden inputs.

A class too large for one machine is graded in shards (``--shard K/N``):
each run grades the students whose folder name hashes to K (of N) -- a
fixed part of the class, whoever else is in it, so a student added later
moves nobody --, into the same OUT on a shared file system.  Shards hold
OUT's lock shared (a run of the whole class holds it alone), each its own
shard's lock, and write only their students' files and their record
(``OUT/.shards/K-of-N.json``); the class-level files are written under a
lock of their own (``OUT/.class-files.lock``), by the last shard to
finish, or by ``class-report OUT`` from the students' results alone
(:func:`rebuild`).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import fcntl
import hashlib
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
CLASS_LOCK = ".class-files.lock"    # in OUT: held while class.json and the tables are written
SHARDS = ".shards"                  # in OUT: each shard's record and lock (no student is hidden)
REPORT = "report.html"
HTML_MISSING = ("report.html not written: it needs matplotlib and Jinja2; "
                "pip install 'calculus-autograder[html]' and run class-report OUT")
RUN_PREFIX = "autograder-class-"    # a run's temporary folder, in the system's


class ClassError(ValueError):
    """The class cannot be graded at all (ROOT missing, OUT not writable)."""


class OutError(ClassError):
    """Writing into OUT failed (a full disk, say): the class cannot go on."""

    def __init__(self, path: Path, exc: OSError):
        super().__init__(f"{path}: cannot write there ({exc.strerror or exc}); "
                         "free some space (or give another --out) and run again")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (counted from 0)."""
    index: int
    count: int

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def name(self) -> str:
        return f"{self.index}-of-{self.count}"

    def holds(self, student: str) -> bool:
        return shard_of(student, self.count) == self.index


def shard_of(student: str, count: int) -> int:
    """The shard (of ``count``) that grades the student folder named
    ``student``: its name's SHA-256 modulo ``count``.  It depends on the
    name alone, so every shard agrees without listing the class in the
    same way, a student's shard never changes between runs, and students
    added later move nobody (striding the sorted names would move everyone
    after them); a class of hundreds splits within a few percent of evenly."""
    digest = hashlib.sha256(student.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count


# Where a scheduler says which task of an array this is (from 0 once the
# array's first index is taken away).
SCHEDULER_INDEX = (
    ("JOB_COMPLETION_INDEX", None),                        # Kubernetes Indexed Job
    ("SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN"),       # Slurm job array
)


def parse_shard(text: str, environ=None) -> Shard:
    """``--shard K/N`` (K from 0 to N-1), or ``/N``: K from the scheduler's
    environment (:data:`SCHEDULER_INDEX`).  ClassError says what is wrong."""
    environ = os.environ if environ is None else environ
    index_text, slash, count_text = text.strip().partition("/")
    try:
        count = int(count_text)
        if not slash or count < 1:
            raise ValueError
    except ValueError:
        raise ClassError(f"--shard {text}: give K/N, shard K (from 0) of N shards, e.g. 0/4, "
                         "or /N to take K from JOB_COMPLETION_INDEX (Kubernetes) or "
                         "SLURM_ARRAY_TASK_ID (Slurm)") from None
    where = "--shard"
    if not index_text.strip():
        index_text, where = _scheduler_index(environ, text)
    try:
        index = int(index_text)
    except ValueError:
        raise ClassError(f"{where}: {index_text!r} is not a whole number; give --shard K/N "
                         "with K from 0") from None
    if not 0 <= index < count:
        raise ClassError(f"{where}: shard {index} of {count} does not exist; shards count "
                         f"from 0 to {count - 1}")
    return Shard(index, count)


def _scheduler_index(environ, text: str) -> tuple[str, str]:
    for variable, minimum in SCHEDULER_INDEX:
        value = environ.get(variable, "").strip()
        if not value:
            continue
        low = environ.get(minimum, "").strip() if minimum else ""
        if low:
            try:
                return str(int(value) - int(low)), f"{variable} - {minimum}"
            except ValueError:
                raise ClassError(f"{variable}={value!r}, {minimum}={low!r}: not whole "
                                 "numbers; give --shard K/N") from None
        return value, variable
    raise ClassError(f"--shard {text}: no shard index in the environment (neither "
                     "JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set); give --shard K/N")


@dataclass(frozen=True)
class ClassSummary:
    students: int
    graded_now: int
    skipped: int
    grades_csv: Path | None                       # None: a shard that left them to others
    common_misconceptions: tuple[str, ...] = ()   # the class's most frequent, with counts
    report: Path | None = None                    # report.html, when written
    note: str = ""                                # why report.html was not written
    shard: Shard | None = None
    waiting_for: tuple[int, ...] = ()             # shards not done yet (class files not written)


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


def prepare_out(out: Path, seed: int | None, course: Assignment = ASSIGNMENTS[DEFAULT],
                *, reseed: bool = False) -> int:
    """Make OUT (or check it is writable) and settle the class's seed; OUT
    holds one assignment's grades (a class.json without one is calculus's,
    from before there were two).  ``reseed``: a different ``seed`` replaces
    the kept one (a shard's --regrade: every shard gives the same)."""
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
        if seed is not None and seed != kept and reseed:
            _write(record, json.dumps({"seed": seed, "assignment": course.name}) + "\n")
            return seed
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
def holding_out(out: Path, shard: Shard | None = None):
    """An exclusive lock on OUT for this run (``OUT/.grade-class.lock``,
    flock), or ClassError saying which run holds it.  Two runs grading into
    one OUT would each record their own seed in class.json, and their
    rows would disagree on it.  The lock file says who holds it; it is
    removed when the run ends (a run killed outright leaves it unlocked,
    and the next run takes it over).

    A ``shard`` holds OUT's lock shared with the other shards (a run of
    the whole class is refused while any grades, and the other way round)
    and its own shard's lock (``OUT/.shards/K-of-N.lock``) alone: one run
    per shard."""
    if shard is None:
        with _flocked(out / LOCK, out, exclusive=True):
            yield
        return
    folder = out / SHARDS
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutError(folder, exc) from None
    with _flocked(out / LOCK, out, exclusive=False), \
            _flocked(folder / f"{shard.name}.lock", f"shard {shard} of {out}", exclusive=True):
        yield


@contextlib.contextmanager
def _flocked(path: Path, what, *, exclusive: bool):
    """flock ``path`` (created if missing) without waiting; ClassError if
    another run holds it.  Exclusive: it records who holds it and is
    removed at the end.  Shared: taken alone first when it can be, to clear
    what a killed run wrote in it, then shared; the last holder removes it."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise ClassError(f"{path}: cannot create the run's lock ({exc.strerror or exc})"
                             ) from None
        alone = True
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            alone = False
            try:
                if exclusive:
                    raise
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)   # other shards hold it
            except OSError:
                with os.fdopen(fd, "rb") as fh:
                    holder = fh.read(400).decode("utf-8", "replace").strip() or (
                        "shards of a sharded run" if exclusive else "a run starting")
                raise ClassError(f"{what} is being graded by another run ({holder}); wait "
                                 "for it to end, or stop it, or give another --out") from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except OSError:
            same = False
        if same:
            break
        os.close(fd)     # the run before removed the file between our open and lock
    try:
        os.ftruncate(fd, 0) if alone else None
        if exclusive:
            started = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime())
            os.write(fd, f"pid {os.getpid()} on {socket.gethostname()}, "
                         f"started {started}\n".encode())
    except OSError:
        pass             # who holds it is a courtesy; the lock is what counts
    if alone and not exclusive:
        # Let other shards in.  (Linux may drop the lock for a moment here:
        # a run of the whole class taking it then makes this one fail.)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise ClassError(f"{what} is being graded by another run (one that just "
                             "started); wait for it to end, or give another --out") from None
    try:
        yield
    finally:
        try:
            if not exclusive:      # the last shard out removes it
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            with contextlib.suppress(OSError):
                os.unlink(path)
        except OSError:
            pass                   # other shards still hold it
        os.close(fd)


@contextlib.contextmanager
def class_files_lock(out: Path):
    """Wait for, and hold, ``OUT/.class-files.lock``: class.json and the
    class-level tables are read and written under it, so that shards
    finishing together (or ``class-report``) never write them at once.
    Removed when released (a waiter that locked the removed file tries
    again with the new one)."""
    path = out / CLASS_LOCK
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise OutError(path, exc) from None
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except OSError:
            same = False
        if same:
            break
        os.close(fd)
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
    hints = _hints(handed_in.source, course)
    if hints:
        data["extra_data"]["hints"] = hints
    return status, data, (details(result) + "\n\n" + score_table(result)).lstrip() + "\n"


def _hints(source: Path, course: Assignment) -> dict[str, int]:
    """The hints the student's notebooks of ``course`` record (see
    hint_log): from the folder the modules were found in, or the zip."""
    from autograder.channels.hint_log import hints_used
    try:
        if source.is_file():                     # a zip: its notebooks, as the intake read it
            from autograder.intake.archive import zip_modules
            notebooks = [data for name, data in zip_modules(source, course.modules).items()
                         if name.endswith(".ipynb")]
        else:
            notebooks = [source / f"{m}.ipynb" for m in course.modules]
            notebooks = [p for p in notebooks if p.is_file()]
        return hints_used(notebooks)
    except Exception:                            # a record of hints never costs a grade
        return {}


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


def sweep_half_written(out: Path, students: list[str] | None = None, *,
                       top: bool = True) -> list[Path]:
    """Remove the temporary files of writes a killed run left unfinished
    (report.write_atomic's ``.<name>.<random>`` beside each file it writes).
    Only under the run's lock on OUT, so no other run is writing them; a
    shard sweeps only its own ``students``' folders (``top=False``), and the
    class-level files' leftovers (``top``) are swept only under the
    class-files lock."""
    folders = ["*"] if students is None else [glob_escape(s) for s in students]
    stale = [p for name in (CLASS_FILE, GRADES, CHECKS, MISCONCEPTIONS, REPORT)
             for p in out.glob(f".{name}.*")] if top else []
    stale += [p for name in (RESULTS, FEEDBACK) for folder in folders
              for p in out.glob(f"{folder}/.{name}.*")]
    stale = [p for p in stale if p.is_file() and not p.is_symlink()]
    for path in stale:
        try:
            path.unlink()
        except OSError:
            pass
    return stale


def glob_escape(name: str) -> str:
    """``name`` matched literally by Path.glob."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def grade_class(root: Path, out: Path, *, workers: int | None = None, regrade: bool = False,
                seed: int | None = None, limits: Limits = Limits(),
                progress: bool = True,
                assignment: Assignment = ASSIGNMENTS[DEFAULT],
                shard: Shard | None = None) -> ClassSummary:
    """Grade every student folder under ``root`` for ``assignment`` into
    ``out`` (one assignment per OUT); with ``shard``, only that shard's
    students (``seed`` required, so that all shards agree)."""
    if shard is not None and seed is None:
        raise ClassError(f"--shard {shard} needs --seed: every shard must grade with the "
                         "same seed (give them all the same --seed N)")
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
    with holding_out(out, shard):
        with class_files_lock(out):
            sweep_half_written(out, None if shard is None else [])
            if shard is None:
                if regrade and (out / CLASS_FILE).is_file():
                    (out / CLASS_FILE).unlink()
            seed = prepare_out(out, seed, assignment, reseed=regrade and shard is not None)
        everyone = find_students(root)
        students = everyone if shard is None else [s for s in everyone if shard.holds(s.name)]
        if shard is not None:
            sweep_half_written(out, [s.name for s in students], top=False)
        kept = {} if regrade else {
            s.name: data for s in students
            if (data := read_results(out / s.name / RESULTS, assignment)) is not None}
        todo = [s for s in students if s.name not in kept]
        workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
        if shard is not None:
            _shard_record(out, shard, seed, assignment, students, "grading")
        finished = False
        with run_folder() as tmp, _terminate_as_interrupt():
            try:
                _grade_all(todo, out, seed, limits, workers, progress, tmp, assignment,
                           draws=shard is None)
                finished = True
            finally:   # however it ended (Ctrl-C, SIGTERM): the tables of who is graded
                waiting = ()
                if shard is None:
                    with class_files_lock(out):
                        written = write_class_files(out, [s.name for s in everyone], kept,
                                                    assignment)
                else:
                    _shard_record(out, shard, seed, assignment, students,
                                  "done" if finished else "stopped", len(todo))
                    written, waiting = _last_shard_writes(out, shard, seed, everyone,
                                                          assignment)
    return ClassSummary(len(students), len(todo), len(students) - len(todo), *written,
                        shard=shard, waiting_for=waiting)


def _shard_record(out: Path, shard: Shard, seed: int, course: Assignment,
                  students: list[Path], state: str, graded_now: int | None = None) -> None:
    """``OUT/.shards/K-of-N.json``: what this shard grades and how far it got."""
    record = {"shard": shard.index, "of": shard.count, "seed": seed,
              "assignment": course.name, "state": state, "students": len(students),
              "host": socket.gethostname(), "pid": os.getpid(),
              "at": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime())}
    if graded_now is not None:
        record["graded_now"] = graded_now
    _write(out / SHARDS / f"{shard.name}.json", json.dumps(record, indent=2) + "\n")


def shard_states(out: Path, count: int) -> dict[int, dict]:
    """The records of shards 0..count-1 of OUT that are there and readable."""
    states = {}
    for index in range(count):
        try:
            data = json.loads((out / SHARDS / f"{index}-of-{count}.json").read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            states[index] = data
    return states


def _last_shard_writes(out: Path, shard: Shard, seed: int, everyone: list[Path],
                       course: Assignment) -> tuple[tuple, tuple[int, ...]]:
    """The class-level files, written if every shard of this run is done
    (so the last shard to finish writes them: no step after the array is
    needed); else nothing, and who is still to finish."""
    with class_files_lock(out):
        states = shard_states(out, shard.count)
        waiting = tuple(k for k in range(shard.count)
                        if states.get(k, {}).get("state") != "done"
                        or states[k].get("seed") != seed)
        if waiting:
            return (None, (), None, ""), waiting
        return write_class_files(out, [s.name for s in everyone], None, course), ()


def rebuild(out: Path) -> ClassSummary:
    """``class-report OUT``: the class-level files (grades.csv, checks.csv,
    misconceptions.csv, report.html) from the students' results in OUT
    alone -- after the shards of a class, say.  ClassError when OUT is not
    a grade-class folder."""
    out = Path(out)
    record = out / CLASS_FILE
    if not record.is_file():
        raise ClassError(f"{out}: no {CLASS_FILE} there; give the --out folder of grade-class")
    try:
        name = json.loads(record.read_text(encoding="utf-8")).get("assignment", DEFAULT)
        course = ASSIGNMENTS[name]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise ClassError(f"{record}: unreadable, or of an unknown assignment; grade the class "
                         "again into a new --out") from None
    with class_files_lock(out):
        sweep_half_written(out, [])
        try:
            names = sorted(p.name for p in out.iterdir() if not p.name.startswith(".")
                           and _real_dir(p) and (p / RESULTS).is_file())
        except OSError as exc:
            raise ClassError(f"{out}: cannot read it ({exc.strerror or exc})") from None
        written = write_class_files(out, names, None, course)
    return ClassSummary(len(names), 0, len(names), *written)


def _grade_all(todo: list[Path], out: Path, seed: int, limits: Limits, workers: int,
               progress: bool, tmp: Path, course: Assignment, draws: bool = False) -> None:
    """Grade ``todo``; ``draws``: this run draws report.html at the end."""
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
            if parent is not None and todo:
                _before_the_fork(seed, course)
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                       initializer=_pool_process, initargs=(parent, str(tmp)))
            try:
                futures = [pool.submit(grade_student, s, out, seed, limits, course.name)
                           for s in todo]
                if draws:            # while the pool grades (it forks no more processes)
                    _ready_to_draw()
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


def _before_the_fork(seed: int, course: Assignment) -> None:
    """Make here, once, what every pool process would otherwise make for
    itself: the modules grading imports, and the class's cases (its one
    seed's), with sympy where they need it -- a third of a second and more
    per pool process.  Forked, the pool processes inherit them."""
    from autograder.channels.report import details  # noqa: F401
    from autograder.engine.runner import planned_cases
    from autograder.intake.submission import intake  # noqa: F401
    for exercise in course.exercises:
        planned_cases(exercise, seed)


def _ready_to_draw() -> None:
    """Import what report.html is drawn with (matplotlib, Jinja2: about
    half a second) while the pool processes grade, rather than after them;
    without the html extra, nothing (the end of the run says so)."""
    with contextlib.suppress(ImportError):
        import autograder.channels.class_html  # noqa: F401


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


def write_class_files(out: Path, students: list[str], known: dict[str, dict] | None = None,
                      course: Assignment = ASSIGNMENTS[DEFAULT]
                      ) -> tuple[Path, tuple[str, ...], Path | None, str]:
    """grades.csv from the results files: one row per graded student; the
    class's checks.csv and misconceptions.csv (see class_report); and
    report.html (see class_html), drawn once here, when the ``html`` extra
    is installed.  ``known`` holds results already read this run (by
    student), which are not read again.  Call it holding
    :func:`class_files_lock`.  Returns grades.csv's path, the most frequent
    misconceptions, report.html's path (None when it could not be drawn)
    and why not."""
    from autograder.channels.class_report import checks_csv, misconceptions_csv, most_common, tally
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns(course))
    results, names = [], []
    for student in students:
        data = (known or {}).get(student) or read_results(out / student / RESULTS, course)
        if data is None:
            continue
        results.append(data)
        names.append(student)
        per_module = {m: 0.0 for m in course.modules}
        for test in data.get("tests", []):
            per_module[test["tags"][0]] += test["score"]
        extra = data.get("extra_data", {})
        writer.writerow([student, *(f"{per_module[m]:g}" for m in course.modules),
                         f"{data['score']:g}", extra.get("seed", ""), extra.get("status", "")])
    csv_path = out / GRADES
    _write(csv_path, buffer.getvalue())
    counted = tally(results, course, names)
    _write(out / CHECKS, checks_csv(counted))
    _write(out / MISCONCEPTIONS, misconceptions_csv(counted))
    report, note = _write_report(out, names, results, course, counted)
    return csv_path, tuple(most_common(counted)), report, note


def write_grades(out: Path, students: list[Path], known: dict[str, dict] | None = None,
                 course: Assignment = ASSIGNMENTS[DEFAULT]) -> tuple[Path, tuple[str, ...]]:
    """The class-level files of ``students`` (folders); returns grades.csv's
    path and the most frequent misconceptions."""
    with class_files_lock(out):
        csv_path, common, _, _ = write_class_files(out, [s.name for s in students], known,
                                                   course)
    return csv_path, common


def _write_report(out: Path, names: list[str], results: list[dict], course: Assignment,
                  counted) -> tuple[Path | None, str]:
    """report.html, or (None, why not): without the html extra the CSVs are
    all there is, and a report.html from before (of other results) goes."""
    try:
        from autograder.channels.class_html import write_report
    except ImportError:
        with contextlib.suppress(OSError):
            (out / REPORT).unlink()
        return None, HTML_MISSING
    return write_report(out, names, results, course, counted, _write), ""
