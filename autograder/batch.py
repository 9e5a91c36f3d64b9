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

import csv
import dataclasses
import io
import json
import os
import signal
import tempfile
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .config import Limits
from .curriculum import MODULES
from .report import write_atomic

COLUMNS = ("student", *MODULES, "total", "seed", "status")
RESULTS, FEEDBACK, CLASS_FILE, GRADES = "results.json", "feedback.txt", "class.json", "grades.csv"
CHECKS, MISCONCEPTIONS = "checks.csv", "misconceptions.csv"


class ClassError(ValueError):
    """The class cannot be graded at all (ROOT missing, OUT not writable)."""


@dataclass(frozen=True)
class ClassSummary:
    students: int
    graded_now: int
    skipped: int
    grades_csv: Path
    common_misconceptions: tuple[str, ...] = ()   # the class's most frequent, with counts


def find_students(root: Path) -> list[Path]:
    """One folder per student, in name order (hidden folders skipped)."""
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def module_folder(student: Path) -> Path | None:
    """Where the student's modules are: the folder itself, or its only
    subfolder that holds any (a repository inside a download, say)."""
    def holds(folder: Path) -> bool:
        return any((folder / f"{m}.py").is_file() or (folder / f"{m}.ipynb").is_file()
                   for m in MODULES)
    if holds(student):
        return student
    inner = [p for p in sorted(student.iterdir()) if p.is_dir() and holds(p)] \
        if os.access(student, os.R_OK | os.X_OK) else []
    return inner[0] if len(inner) == 1 else None


def prepare_out(out: Path, seed: int | None) -> int:
    """Make OUT (or check it is writable) and settle the class's seed."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".probe-")
        probe.close()
    except OSError as exc:
        raise ClassError(f"{out}: cannot write there ({exc.strerror or exc}); "
                         "give a folder you may write to with --out") from None
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
    from .runner import new_seed
    chosen = new_seed() if seed is None else seed
    write_atomic(record, json.dumps({"seed": chosen}) + "\n")
    return chosen


# ------------------------------------------------------------ one student

_BOX = None


def _sandbox():
    """One fork server per pool process, closed when the process ends."""
    global _BOX
    if _BOX is None:
        from multiprocessing.util import Finalize
        from .sandbox import Sandbox
        _BOX = Sandbox()
        _BOX.start()
        Finalize(_BOX, _BOX.close, exitpriority=10)
    return _BOX


def _close_sandbox() -> None:
    """Close this process's fork server (the one used when grading here)."""
    global _BOX
    if _BOX is not None:
        _BOX.close()
        _BOX = None


def grade_student(student: Path, out: Path, seed: int, limits: Limits) -> str:
    """Grade one student and write their files; returns the status."""
    from .archive import ArchiveError, modules_of, only_zip
    from .report import details, gradescope, score_table
    from .runner import SubmissionError, grade_submission
    target = out / student.name
    target.mkdir(exist_ok=True)
    folder = module_folder(student)
    archive = only_zip(student) if folder is None else None
    if folder is None and archive is None:
        status = ("no modules: none of " + ", ".join(f"{m}.py" for m in MODULES)
                  + " (or .ipynb, or one .zip holding them) found")
        data = {"score": 0, "tests": [], "output": status,
                "extra_data": {"seed": seed, "status": status}}
        write_atomic(target / FEEDBACK, status + "\n")
    else:
        try:
            with modules_of(folder or archive) as modules:   # notebooks, zips: as modules
                result = grade_submission(modules, seed=seed, limits=limits,
                                          sandbox=_sandbox())
            result = dataclasses.replace(result, submission=str(folder or archive))
        except Exception as exc:                  # one student never stops the class
            status = (f"not gradable: {exc}" if isinstance(exc, (SubmissionError, ArchiveError))
                      else f"grader error: {type(exc).__name__}: {exc}")
            data = {"score": 0, "tests": [], "output": status,
                    "extra_data": {"seed": seed, "status": status}}
            write_atomic(target / FEEDBACK, status + "\n")
        else:
            status = class_status(result)
            data = gradescope(result)
            data["extra_data"]["status"] = status
            write_atomic(target / FEEDBACK, (details(result) + "\n\n" + score_table(result)
                                             ).lstrip() + "\n")
    write_atomic(target / RESULTS, json.dumps(data, indent=2) + "\n")   # last: the done mark
    return status


def class_status(result) -> str:
    from .outcomes import Outcome
    outcomes = [c.outcome for c in result.checks()]
    if all(o is Outcome.NOT_ATTEMPTED for o in outcomes):
        return "not attempted"
    limits = sum(o is Outcome.LIMIT for o in outcomes)
    crashed = sum(o is Outcome.ERROR for o in outcomes)
    parts = [f"{n} {what}" for n, what in ((limits, "hit a limit"), (crashed, "crashed")) if n]
    return "graded" + (f" ({', '.join(parts)})" if parts else "")


# ------------------------------------------------------------- the class

def _leave_interrupt() -> None:
    """In a pool process: Ctrl-C is for the parent, which lets the
    students being graded finish rather than leave them half done."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def grade_class(root: Path, out: Path, *, workers: int | None = None, regrade: bool = False,
                seed: int | None = None, limits: Limits = Limits(),
                progress: bool = True) -> ClassSummary:
    root, out = Path(root), Path(out)
    if not root.is_dir():
        raise ClassError(f"{root}: no such folder; give the folder that holds one folder "
                         "per student")
    if out.resolve() == root.resolve() or root.resolve() in out.resolve().parents:
        raise ClassError(f"{out}: inside the class folder {root}; put the results elsewhere")
    if regrade and (out / CLASS_FILE).is_file():
        (out / CLASS_FILE).unlink()
    seed = prepare_out(out, seed)
    students = find_students(root)
    kept = {} if regrade else {s.name: data for s in students
                               if (data := read_results(out / s.name / RESULTS)) is not None}
    todo = [s for s in students if s.name not in kept]
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(todo), unit="student", desc="grading", dynamic_ncols=True)
    try:
        if workers == 1:
            for student in todo:
                grade_student(student, out, seed, limits)
                if bar:
                    bar.update()
        else:
            pool = ProcessPoolExecutor(max_workers=workers, initializer=_leave_interrupt)
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
        _close_sandbox()
        csv_path, common = write_grades(out, students, kept)
    return ClassSummary(len(students), len(todo), len(students) - len(todo), csv_path, common)


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
    from .class_report import checks_csv, misconceptions_csv, most_common, tally
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
    write_atomic(csv_path, buffer.getvalue())
    counted = tally(results)
    write_atomic(out / CHECKS, checks_csv(counted))
    write_atomic(out / MISCONCEPTIONS, misconceptions_csv(counted))
    return csv_path, tuple(most_common(counted))
