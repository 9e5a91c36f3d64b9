"""A student's modules inside a zip, as LMS downloads often hold them.

Only the four modules (``<module>.py`` or ``<module>.ipynb``) are read from
the archive, from the one folder in it nearest the top that holds any, and
each is written under its own fixed name into a temporary folder: no path
from the archive ever reaches the file system, and nothing else in it
(``__MACOSX/``, hidden files, a virtualenv) is unpacked.  Members larger
than the cap are refused rather than read, so a zip bomb costs nothing.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from autograder.course import MODULES
from autograder.intake.ipynb import as_modules

MAX_MEMBER_BYTES = 16 * 1024**2            # a notebook with pictures fits; a bomb does not
NAMES = frozenset(f"{m}{ext}" for m in MODULES for ext in (".py", ".ipynb"))


class ArchiveError(ValueError):
    """The zip cannot be used; the message says why."""


def only_zip(folder: Path) -> Path | None:
    """The one ``.zip`` file directly in ``folder``, if there is exactly one."""
    try:
        zips = [p for p in folder.iterdir() if p.suffix.lower() == ".zip"
                and not p.name.startswith(".")        # macOS's ._name.zip companions
                and p.is_file() and not p.is_symlink()]
    except OSError:
        return None
    return zips[0] if len(zips) == 1 else None


def zip_modules(path: Path) -> dict[str, bytes]:
    """{file name: content} of the modules in the zip at ``path``, from the
    shallowest folder in it that holds any.  Raises ArchiveError."""
    try:
        with zipfile.ZipFile(path) as archive:
            chosen = _module_members(archive, path)
            if not chosen:
                raise ArchiveError(f"{path} holds none of "
                                   + ", ".join(f"{m}.py" for m in MODULES) + " (or .ipynb)")
            return {name: _read(archive, info, path) for name, info in chosen.items()}
    except ArchiveError:
        raise
    except Exception as exc:      # BadZipFile, zlib.error, lzma.LZMAError, ...: untrusted bytes
        raise ArchiveError(f"{path} is not a readable zip "
                           f"({type(exc).__name__}: {exc})") from None


def _module_members(archive: zipfile.ZipFile, path: Path) -> dict[str, zipfile.ZipInfo]:
    by_folder: dict[PurePosixPath, dict[str, zipfile.ZipInfo]] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        member = PurePosixPath(info.filename.replace("\\", "/"))
        if member.name not in NAMES or any(part.startswith((".", "__MACOSX"))
                                           for part in member.parts):
            continue
        by_folder.setdefault(member.parent, {})[member.name] = info
    if not by_folder:
        return {}
    depth = min(len(folder.parts) for folder in by_folder)
    nearest = sorted(str(folder) for folder in by_folder if len(folder.parts) == depth)
    if len(nearest) > 1:
        raise ArchiveError(f"{path} has modules in more than one folder "
                           f"({', '.join(nearest)}); hand in one folder with all of them")
    return by_folder[PurePosixPath(nearest[0])]


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    if info.flag_bits & 0x1:
        raise ArchiveError(f"{path}: {info.filename} is encrypted; "
                           "ask for the files without a password")
    if info.file_size > MAX_MEMBER_BYTES:
        raise ArchiveError(f"{path}: {info.filename} unpacks to {info.file_size} bytes, "
                           f"more than the {MAX_MEMBER_BYTES // 1024**2} MiB allowed")
    with archive.open(info) as member:
        data = member.read(MAX_MEMBER_BYTES + 1)     # the header may understate the size
    if len(data) > MAX_MEMBER_BYTES:
        raise ArchiveError(f"{path}: {info.filename} unpacks to more than "
                           f"{MAX_MEMBER_BYTES // 1024**2} MiB")
    return data


@contextlib.contextmanager
def unpacked(path: Path):
    """A temporary folder holding the modules of the zip at ``path``,
    removed afterwards.  Raises ArchiveError before creating anything."""
    files = zip_modules(path)
    folder = Path(tempfile.mkdtemp(prefix="zip-"))
    try:
        for name, data in files.items():
            (folder / name).write_bytes(data)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def modules_of(path: Path):
    """The folder of modules that the submission at ``path`` gives: a
    folder (its notebooks read as modules) or a ``.zip`` of one.  Anything
    else is given back as it is, for the grader to refuse with its reason."""
    path = Path(path)
    with contextlib.ExitStack() as stack:
        if path.is_file() and path.suffix.lower() == ".zip":
            path = stack.enter_context(unpacked(path))
        yield stack.enter_context(as_modules(path)) if path.is_dir() else path
