"""One intake: whatever a user hands in becomes the folder of modules to grade.

Every channel -- ``grade`` (and so Gradescope's ``run_autograder``, which
calls it), ``grade-class`` and the pytest plugin -- hands its path to
:func:`intake`, which accepts

* a folder holding an assignment's modules (``<module>.py``, or the
  nbgrader notebooks ``<module>.ipynb``, read as modules by
  :mod:`autograder.intake.ipynb`),
* a folder whose only subfolder holding any of them does (a repository
  inside a download; hidden folders and symbolic links are skipped),
* a ``.zip`` of either (read by :mod:`autograder.intake.archive`), or a folder
  holding nothing but one such ``.zip``,

and yields a :class:`Submission`: the folder of ``.py`` modules to grade
(temporary when notebooks or a zip had to be turned into modules, removed
afterwards) and the assignment they belong to: of the assignments the
channel gives (one when the user named it; the course's, in order, when the
intake is to infer it), the first whose modules were found.  When nothing can be graded it raises
:class:`NotGradable` with the reason, and every channel gives the same zero
result (:meth:`NotGradable.results`).  The path handed in is taken as given
(grade-class refuses a student folder that is a link before it gets here);
below it, no symbolic link is followed: nothing a submission links to
outside itself is read.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

from autograder.engine.spec import Assignment
from autograder.intake.archive import ArchiveError, only_zip, zip_modules
from autograder.intake.ipynb import as_modules

EMPTY = "no modules"            # a class status: nothing was handed in
REFUSED = "not gradable"        # something was handed in that cannot be graded


class NotGradable(ValueError):
    """Nothing can be graded; ``str(exc)`` is the reason, one line naming
    the path and what to do.  ``empty``: nothing of an assignment was handed
    in (a class report counts it as not attempted, not as not gradable)."""

    def __init__(self, reason: str, *, empty: bool = False):
        super().__init__(reason)
        self.reason, self.empty = reason, empty

    @property
    def status(self) -> str:
        """The reason as grade-class's status column shows it."""
        return f"{EMPTY if self.empty else REFUSED}: {self.reason}"

    def results(self, seed: int | None) -> dict:
        """The zero result every channel writes (results.json's format)."""
        return {"score": 0, "tests": [], "output": f"Not graded: {self.reason}",
                "extra_data": {"seed": seed, "status": self.status}}


@dataclass(frozen=True)
class Submission:
    folder: Path              # the .py modules to grade (perhaps a temporary folder)
    assignment: Assignment    # the assignment asked for, or the one found
    source: Path              # where the modules were found: a folder, or the zip


def modules_named(assignments: Sequence[Assignment]) -> str:
    """``derivatives.py, gradient_descent.py, ...``: the modules looked for
    (each assignment's, by name, when there are several)."""
    if len(assignments) == 1:
        return ", ".join(f"{m}.py" for m in assignments[0].modules)
    return "; ".join(f"{a.name}: " + ", ".join(f"{m}.py" for m in a.modules)
                     for a in assignments)


@contextlib.contextmanager
def intake(path: Path, assignments: Sequence[Assignment]) -> Iterator[Submission]:
    """The folder of modules that ``path`` gives, for the first of
    ``assignments`` whose modules it holds (give one to name it).  Raises
    NotGradable before yielding; temporary folders are removed on leaving."""
    path, assignments = Path(path), tuple(assignments)
    looked_for = _modules(assignments)
    source = locate(path, assignments)
    with contextlib.ExitStack() as stack:
        if source.is_file():                      # a zip
            try:
                files = zip_modules(source, looked_for)
            except ArchiveError as exc:
                raise NotGradable(str(exc)) from None
            course = _owner(assignments, {Path(name).stem for name in files})
            folder = stack.enter_context(_unpacked({n: d for n, d in files.items()
                                                    if Path(n).stem in course.modules}))
        else:
            try:
                course = _owner(assignments,
                                {m for m in looked_for if _holds(source, (m,))})
                folder = stack.enter_context(as_modules(source, course.modules))
            except OSError as exc:
                raise NotGradable(f"cannot read {exc.filename or path} "
                                  f"({exc.strerror or exc})") from None
        yield Submission(folder, course, source)


def locate(path: Path, assignments: Sequence[Assignment]) -> Path:
    """Where the modules of ``assignments`` are in ``path``: ``path`` itself
    (a folder holding any, or a zip), its only subfolder holding any, or the
    one zip in it.  Raises NotGradable with the reason."""
    path, assignments = Path(path), tuple(assignments)
    modules = _modules(assignments)
    names = modules_named(assignments)
    try:
        if not path.exists():
            raise NotGradable(f"{path}: no such folder. Give the folder that holds {names}.")
        if not path.is_dir():
            if path.is_file() and path.suffix.lower() == ".zip":
                return path
            raise NotGradable(f"{path}: not a folder. Give the folder that holds {names}, "
                              "not a file.")
        if _holds(path, modules):
            return path
        inner = [p for p in sorted(path.iterdir()) if not p.name.startswith(".")
                 and not p.is_symlink() and p.is_dir() and _holds(p, modules)]
        if len(inner) == 1:
            return inner[0]
        if inner:
            raise NotGradable(f"{path}: several folders hold the modules "
                              f"({', '.join(p.name for p in inner)}); hand in one folder "
                              "with all of them")
        archive = only_zip(path)
        if archive is not None:
            return archive
        links = sorted(p.name for p in path.iterdir() if p.is_symlink() and p.is_dir())
    except OSError as exc:
        raise NotGradable(f"cannot read {path} ({exc.strerror or exc})") from None
    if links:
        what = "is a symbolic link" if len(links) == 1 else "are symbolic links"
        raise NotGradable(
            f"{', '.join(links)} {what}"
            f" to a folder in {path}; hand in the files themselves (symbolic links, which the "
            "grader never follows, could point outside the submission)")
    raise NotGradable(f"{path}: holds none of {names} (nor their .ipynb notebooks, nor one "
                      ".zip of them); is this the right folder?", empty=True)


def _holds(folder: Path, modules) -> bool:
    """Any of ``modules`` is in ``folder``, as a module or a notebook (a
    module that is a link counts: it is refused, by name, when graded)."""
    return any((folder / f"{m}{ext}").is_file() for m in modules for ext in (".py", ".ipynb"))


def _modules(assignments: tuple[Assignment, ...]) -> tuple[str, ...]:
    return tuple(m for a in assignments for m in a.modules)


def _owner(assignments: tuple[Assignment, ...], found: set[str]) -> Assignment:
    """The first of ``assignments`` with a module in ``found``."""
    return next((a for a in assignments if found & set(a.modules)), assignments[0])


@contextlib.contextmanager
def _unpacked(files: dict[str, bytes]):
    """A temporary folder holding ``files`` (by their fixed names), read as
    modules where they are notebooks."""
    folder = Path(tempfile.mkdtemp(prefix="zip-"))
    try:
        for name, data in files.items():
            (folder / name).write_bytes(data)
        modules = tuple(Path(name).stem for name in files)
        with as_modules(folder, modules) as modules_folder:
            yield modules_folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
