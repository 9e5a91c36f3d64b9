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
from autograder.course import CALCULUS, MODULES
from autograder.channels.report import write_atomic

COLUMNS = ("student", *MODULES, "total", "seed", "status")
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


def _real_file(path: Path) -> bool:
    try:
        return not path.is_symlink() and path.is_file()
    except OSError:
        return False


def module_folder(student: Path) -> Path | None:
    """Where the student's modules are: the folder itself, or its only
    subfolder that holds any (a repository inside a download, say).
    Symbolic links are never followed: a linked folder is not the
    student's work (a module file that is a link is refused when graded)."""
    def holds(folder: Path) -> bool:
        return any((folder / f"{m}.py").is_file() or (folder / f"{m}.ipynb").is_file()
                   for m in MODULES)
    if holds(student):
        return student
    inner = [p for p in sorted(student.iterdir()) if _real_dir(p) and holds(p)] \
        if os.access(student, os.R_OK | os.X_OK) else []
    return inner[0] if len(inner) == 1 else None


def linked_folders(student: Path) -> list[str]:
    """The names of the symbolic links to folders in ``student``."""
    try:
        return sorted(p.name for p in student.iterdir() if p.is_symlink() and p.is_dir())
    except OSError:
        return []


def prepare_out(out: Path, seed: int | None) -> int:
    """Make OUT (or check it is writable) and settle the class's seed."""
    _writable(out)
    record = out / CLASS_FILE
    if record.is_file():
        try:
            kept = json.loads(record.read_text(encoding="utf-8"))["seed"]
        except (OSError, ValueError, KeyError, TypeError):
            raise ClassError(f"{record}: unreadable; delete it to start the class afresh") from None
        if seed is not None and seed != kept:
            raise ClassError(f"{out} was graded with seed {kept}; use --seed {kept}, "
                             "or --regrade to grade everyone again with a new seed")
        return int(kept)
    from autograder.engine.runner import new_seed
    chosen = new_seed() if seed is None else seed
    _write(record, json.dumps({"seed": chosen}) + "\n")
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



def grade_student(student: Path, out: Path, seed: int, limits: Limits) -> str:
    """Grade one student and write their files; returns the status.  Raises
    OutError only when OUT cannot be written (which stops the class)."""
    target = out / student.name
    try:
        target.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutError(target, exc) from None
    status, data, feedback = _grade(student, seed, limits)
    _write(target / FEEDBACK, feedback)
    _write(target / RESULTS, json.dumps(data, indent=2) + "\n")   # last: the done mark
    return status


def _grade(student: Path, seed: int, limits: Limits) -> tuple[str, dict, str]:
    """(status, results.json's data, feedback.txt's text) of one student."""
    from autograder.intake.archive import ArchiveError, modules_of, only_zip
    from autograder.channels.report import details, gradescope, score_table
    from autograder.engine.runner import SubmissionError, grade_submission
    from autograder.sandbox.client import process_sandbox

    def ungraded(status: str) -> tuple[str, dict, str]:
        return status, {"score": 0, "tests": [], "output": status,
                        "extra_data": {"seed": seed, "status": status}}, status + "\n"

    if student.is_symlink():
        return ungraded(f"not gradable: {student.name} is a symbolic link to a folder, and "
                        "grade-class follows no link; put the folder itself in the class folder")
    try:
        folder = module_folder(student)
        archive = only_zip(student) if folder is None else None
    except OSError as exc:
        return ungraded(f"not gradable: cannot read {student} ({exc.strerror or exc})")
    if folder is None and archive is None:
        links = linked_folders(student)
        if links:
            return ungraded(f"not gradable: {', '.join(links)} "
                            f"{'is a symbolic link' if len(links) == 1 else 'are symbolic links'}"
                            " to a folder, which grade-class never follows; hand in the files "
                            "themselves")
        return ungraded("no modules: none of " + ", ".join(f"{m}.py" for m in MODULES)
                        + " (or .ipynb, or one .zip holding them) found")
    try:
        with modules_of(folder or archive) as modules:   # notebooks, zips: as modules
            result = grade_submission(modules, CALCULUS, seed=seed, limits=limits,
                                      sandbox=process_sandbox())
        result = dataclasses.replace(result, submission=str(folder or archive))
    except Exception as exc:                  # one student never stops the class
        if isinstance(exc, (SubmissionError, ArchiveError)):
            return ungraded(f"not gradable: {exc}")
        if isinstance(exc, OSError):
            return ungraded(f"not gradable: cannot read {exc.filename or student} "
                            f"({exc.strerror or exc})")
        return ungraded(f"grader error: {type(exc).__name__}: {exc}")
    status = class_status(result)
    data = gradescope(result)
    data["extra_data"]["status"] = status
    return status, data, (details(result) + "\n\n" + score_table(result)).lstrip() + "\n"


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
                progress: bool = True) -> ClassSummary:
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
        seed = prepare_out(out, seed)
        students = find_students(root)
        kept = {} if regrade else {s.name: data for s in students
                                   if (data := read_results(out / s.name / RESULTS)) is not None}
        todo = [s for s in students if s.name not in kept]
        workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
        with run_folder() as tmp, _terminate_as_interrupt():
            try:
                _grade_all(todo, out, seed, limits, workers, progress, tmp)
            finally:   # however it ended (Ctrl-C, SIGTERM): the tables of who is graded
                csv_path, common = write_grades(out, students, kept)
    return ClassSummary(len(students), len(todo), len(students) - len(todo), csv_path, common)


def _grade_all(todo: list[Path], out: Path, seed: int, limits: Limits, workers: int,
               progress: bool, tmp: Path) -> None:
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(todo), unit="student", desc="grading", dynamic_ncols=True)
    previous_tmp = tempfile.tempdir
    try:
        if workers == 1:
            tempfile.tempdir = str(tmp)
            for student in todo:
                grade_student(student, out, seed, limits)
                if bar:
                    bar.update()
        else:
            context = multiprocessing.get_context()
            parent = os.getpid() if context.get_start_method() == "fork" else None
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                       initializer=_pool_process, initargs=(parent, str(tmp)))
            try:
                futures = [pool.submit(grade_student, s, out, seed, limits) for s in todo]
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


def read_results(path: Path) -> dict | None:
    """A student's results.json if it is there and has the shape grade-class
    writes; None otherwise (missing, half-written by an old version, or
    edited by hand into something else), and the student is graded again."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    def number(x) -> bool:
        return isinstance(x, (int, float)) and not isinstance(x, bool)
    def test_ok(t) -> bool:
        return (isinstance(t, dict) and isinstance(t.get("name"), str) and number(t.get("score"))
                and isinstance(t.get("tags"), list) and bool(t["tags"])
                and all(isinstance(tag, str) for tag in t["tags"]) and t["tags"][0] in MODULES)
    if not (isinstance(data, dict) and number(data.get("score"))
            and isinstance(data.get("tests"), list) and all(map(test_ok, data["tests"]))
            and isinstance(data.get("extra_data", {}), dict)):
        return None
    return data


def write_grades(out: Path, students: list[Path],
                 known: dict[str, dict] | None = None) -> tuple[Path, tuple[str, ...]]:
    """grades.csv from the results files: one row per graded student; and
    the class's checks.csv and misconceptions.csv (see class_report).
    ``known`` holds results already read this run (by student), which are
    not read again.  Returns grades.csv's path and the most frequent
    misconceptions."""
    from autograder.channels.class_report import checks_csv, misconceptions_csv, most_common, tally
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    results = []
    for student in students:
        data = (known or {}).get(student.name) or read_results(out / student.name / RESULTS)
        if data is None:
            continue
        results.append(data)
        per_module = {m: 0.0 for m in MODULES}
        for test in data.get("tests", []):
            per_module[test["tags"][0]] += test["score"]
        extra = data.get("extra_data", {})
        writer.writerow([student.name, *(f"{per_module[m]:g}" for m in MODULES),
                         f"{data['score']:g}", extra.get("seed", ""), extra.get("status", "")])
    csv_path = out / GRADES
    _write(csv_path, buffer.getvalue())
    counted = tally(results)
    _write(out / CHECKS, checks_csv(counted))
    _write(out / MISCONCEPTIONS, misconceptions_csv(counted))
    return csv_path, tuple(most_common(counted))
