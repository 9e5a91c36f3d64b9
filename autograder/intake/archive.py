"""A student's modules inside a zip, as LMS downloads often hold them.

Only an assignment's modules (``<module>.py`` or ``<module>.ipynb``) are
read from the archive, from the one folder in it nearest the top that holds
any; the intake (:mod:`autograder.intake.submission`) writes each under its own fixed
name into a temporary folder: no path from the archive ever reaches the file
system, and nothing else in it (``__MACOSX/``, hidden files, a virtualenv)
is unpacked.  Members larger
than the cap are refused rather than read, so a zip bomb costs nothing.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

MAX_MEMBER_BYTES = 16 * 1024**2            # a notebook with pictures fits; a bomb does not


def _names(modules) -> frozenset[str]:
    return frozenset(f"{m}{ext}" for m in modules for ext in (".py", ".ipynb"))


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


def zip_modules(path: Path, modules: tuple[str, ...]) -> dict[str, bytes]:
    """{file name: content} of ``modules`` (their .py or .ipynb) in the zip at
    ``path``, from the shallowest folder in it that holds any.  Raises
    ArchiveError."""
    try:
        with zipfile.ZipFile(path) as archive:
            chosen = _module_members(archive, path, _names(modules))
            if not chosen:
                raise ArchiveError(f"{path} holds none of "
                                   + ", ".join(f"{m}.py" for m in modules) + " (or .ipynb)")
            return {name: _read(archive, info, path) for name, info in chosen.items()}
    except ArchiveError:
        raise
    except Exception as exc:      # BadZipFile, zlib.error, lzma.LZMAError, ...: untrusted bytes
        raise ArchiveError(f"{path} is not a readable zip "
                           f"({type(exc).__name__}: {exc})") from None


def _module_members(archive: zipfile.ZipFile, path: Path,
                    names: frozenset[str]) -> dict[str, zipfile.ZipInfo]:
    by_folder: dict[PurePosixPath, dict[str, zipfile.ZipInfo]] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        member = PurePosixPath(info.filename.replace("\\", "/"))
        if member.name not in names or any(part.startswith((".", "__MACOSX"))
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
