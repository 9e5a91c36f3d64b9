"""Put a graded class's totals into the LMS's gradebook.

A teacher exports the course's gradebook from the LMS, has one column
filled from ``grade-class``'s ``OUT/grades.csv``, and imports the file
back.  Two formats:

- **Canvas** (Grades > Export > Export Entire Gradebook): a header
  ``Student,ID,SIS User ID,SIS Login ID,Section,...`` (the SIS columns as
  the account has them), one column per assignment named ``NAME (ID)``,
  read-only score columns after them, then rows that are not students --
  ``Points Possible`` (second line), and in some exports ``Muted`` or a
  posting policy -- whose ``ID`` cell is empty, and one row per student.
  Canvas's import takes the same file back and shows what changed.
- **Moodle** (Grade administration > Export > Plain text file, or any
  CSV with an identifier column and a column per grade item): identifier
  columns (``Email address``, ``Username``, ``ID number``) and one column
  per grade item (``Assignment: NAME (Real)`` in an export); on import
  the teacher maps the identifier ("Map from" / "Map to") and the column
  to its grade item.

Students are matched by their folder name under OUT (or the login a
roster gives for it) against the row's identifiers (Canvas: ``SIS Login
ID``, ``SIS User ID``, ``ID``; Moodle: email, username, ID number), case
aside.  Only the chosen column of matched rows changes; every other byte
of the file is kept as it was (fields, quoting, separators, line endings,
a byte-order mark).  Rows with no graded student keep their cell (blank in
a fresh export: never a 0 nobody earned) and are reported, as are folders
that match no row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

CANVAS_IDS = ("SIS Login ID", "SIS User ID", "ID")       # in the order they are tried
CANVAS_FIRST = ("Student", "ID")                          # how an export's header begins
CANVAS_ASSIGNMENT = re.compile(r"^(?P<name>.*) \((?P<id>\d+)\)$")
MOODLE_IDS = ("email address", "email", "useremail", "username", "user name",
              "id number", "idnumber", "useridnumber")
MOODLE_NOT_ITEMS = ("first name", "last name", "firstname", "lastname", "full name",
                    "institution", "department", "last downloaded from this course",
                    "course total") + MOODLE_IDS
MOODLE_ITEM = re.compile(r"^(?:[^:]+: )?(?P<name>.*?)(?: \((?:Real|Percentage|Letter)\))?$")
ROSTER_FOLDER = ("folder", "student", "github_username", "github username")
ROSTER_LOGIN = ("login", "identifier", "sis login id", "sis user id", "email",
                "email address", "username", "id number")


class GradebookError(ValueError):
    """A file cannot be used; the message says what to do (the caller
    names the file)."""


# ------------------------------------------------------------- CSV, kept

@dataclass
class Record:
    """One CSV record as written: its fields' raw text (quotes included)
    and the line ending after it."""
    raw: list[str]
    end: str

    @property
    def values(self) -> list[str]:
        """The fields' values (none on a blank line, as the csv module reads it)."""
        return [unquote(f) for f in self.raw] if self.raw != [""] else []


@dataclass
class Table:
    bom: str
    sep: str
    records: list[Record]

    def text(self) -> str:
        return self.bom + "".join(self.sep.join(r.raw) + r.end for r in self.records)


def unquote(raw: str) -> str:
    if not raw.startswith('"'):
        return raw
    body, i, out = raw[1:], 0, []
    while i < len(body):
        if body[i] == '"':
            if body[i + 1:i + 2] == '"':
                out.append('"')
                i += 2
                continue
            return "".join(out) + body[i + 1:]      # what follows a closing quote, as csv does
        out.append(body[i])
        i += 1
    return "".join(out)


def quote(value: str, sep: str, like: str = "") -> str:
    """``value`` as a field: quoted when it must be, or when the field it
    replaces was (``like``), so the file keeps its style."""
    if like.startswith('"') or any(c in value for c in (sep, '"', "\r", "\n")):
        return '"' + value.replace('"', '""') + '"'
    return value


def sniff_separator(text: str) -> str:
    """The separator of the header line: the most frequent of comma,
    semicolon and tab outside quotes (Canvas and Moodle offer all three)."""
    counts, quoted = {",": 0, ";": 0, "\t": 0}, False
    for c in text:
        if c == '"':
            quoted = not quoted
        elif not quoted and c in "\r\n":
            break
        elif not quoted and c in counts:
            counts[c] += 1
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] else ","


def parse_table(data: bytes) -> Table:
    """Split ``data`` into records and raw fields without changing a byte
    (RFC 4180: quoted fields may hold separators, quotes doubled and line
    breaks).  GradebookError when it is not UTF-8 text or a quote is never
    closed."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise GradebookError("not UTF-8 text; save it as CSV UTF-8 (or export it from the "
                             "LMS again)") from None
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    text = text[len(bom):]
    if "\x00" in text:
        raise GradebookError("not a CSV text file (it holds NUL bytes); export it from the "
                             "LMS again")
    sep = sniff_separator(text)
    records, fields, start, i, n = [], [], 0, 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' and i == start:
            close = i + 1
            while True:
                close = text.find('"', close)
                if close < 0:
                    line = text.count("\n", 0, i) + 1
                    raise GradebookError(f"line {line}: a quote is never closed; export "
                                         "the file from the LMS again")
                if text.startswith('""', close):
                    close += 2
                    continue
                break
            i = close + 1
            continue
        if c == sep:
            fields.append(text[start:i])
            i += 1
            start = i
        elif c in "\r\n":
            end = "\r\n" if text.startswith("\r\n", i) else c
            fields.append(text[start:i])
            records.append(Record(fields, end))
            fields, i = [], i + len(end)
            start = i
        else:
            i += 1
    if start < n or fields:
        fields.append(text[start:])
        records.append(Record(fields, ""))
    return Table(bom, sep, records)


# --------------------------------------------------------------- inputs

@dataclass(frozen=True)
class Grade:
    """A graded student's row of grades.csv."""
    student: str
    total: str
    status: str


def read_grades(text: str) -> dict[str, Grade]:
    """grade-class's grades.csv: ``student, <a column per module>, total,
    seed, status``; GradebookError when it is not one."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not {"student", "total", "status"} <= set(rows[0]):
        raise GradebookError("not grade-class's grades.csv (no student, total and status "
                             "columns); grade the class again with grade-class")
    header = rows[0]
    grades = {}
    for number, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise GradebookError(f"line {number} has {len(row)} fields, not {len(header)}; "
                                 "run grade-class again to rewrite it")
        values = dict(zip(header, row))
        try:
            float(values["total"])
        except ValueError:
            raise GradebookError(f"line {number}: total {values['total']!r} is not a "
                                 "number; run grade-class again to rewrite it") from None
        grades[values["student"]] = Grade(values["student"], values["total"], values["status"])
    return grades


def read_roster(text: str) -> dict[str, str]:
    """``{folder: login}`` from a CSV with a header naming a folder column
    (folder, student or github_username) and a login column (login,
    identifier, email, ...) -- GitHub Classroom's roster export has both."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = [h.strip().casefold() for h in rows[0]] if rows else []
    folder = next((header.index(h) for h in ROSTER_FOLDER if h in header), None)
    login = next((header.index(h) for h in ROSTER_LOGIN if h in header), None)
    if folder is None or login is None:
        raise GradebookError("a roster needs a header with a folder column (folder, student "
                             "or github_username) and a login column (login, identifier, "
                             "email, ...): e.g. 'folder,login'")
    roster = {}
    for row in rows[1:]:
        if len(row) > max(folder, login) and row[folder].strip() and row[login].strip():
            roster[row[folder].strip()] = row[login].strip()
    return roster


# ------------------------------------------------------------- the match

def _key(value: str) -> str:
    return value.strip().casefold()


@dataclass
class Filled:
    """What filling a gradebook did, for the teacher to read."""
    column: str
    filled: list[tuple[str, str, str]] = field(default_factory=list)   # (row, folder, total)
    no_submission: list[str] = field(default_factory=list)     # rows with no graded folder
    unmatched_folders: list[str] = field(default_factory=list)  # graded folders with no row
    ambiguous: list[str] = field(default_factory=list)
    not_graded_work: list[str] = field(default_factory=list)   # a 0 for no gradable work
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = list(self.warnings)
        groups = (
            ("no submission graded: cell left as it was (blank, never 0)", self.no_submission),
            ("student folders matching no gradebook row (give a --roster mapping folder "
             "to login)", self.unmatched_folders),
            ("matched more than once, left as they were", self.ambiguous),
            ("scored without gradable work (the total is written)", self.not_graded_work),
        )
        for title, items in groups:
            if items:
                out.append(f"{title}: {len(items)}")
                out.extend(f"  {item}" for item in items)
        return out


def fill(table: Table, *, students: list[int], ids: list[int],
         column: int, label, grades: dict[str, Grade], roster: dict[str, str] | None,
         report: Filled) -> None:
    """Write each graded student's total into ``column`` of the row it
    matches (``students``: the indexes of the student records; ``ids``:
    the identifier columns, in the order tried; ``label(values)``: how a
    row is named in the report)."""
    roster = roster or {}
    by_key: dict[str, set[int]] = {}
    for index in students:
        values = table.records[index].values
        for col in ids:
            if col < len(values) and values[col].strip():
                by_key.setdefault(_key(values[col]), set()).add(index)
    matched: dict[int, list[str]] = {}
    contested: set[int] = set()         # rows a folder matches along with others
    for folder in sorted(grades):
        rows = by_key.get(_key(roster.get(folder, folder)), set())
        if len(rows) > 1:
            contested |= rows
            report.ambiguous.append(f"folder {folder}: rows " + ", ".join(
                label(table.records[r].values) for r in sorted(rows)))
        elif rows:
            matched.setdefault(next(iter(rows)), []).append(folder)
        else:
            report.unmatched_folders.append(f"{folder} (total {grades[folder].total})")
    for index in students:
        record = table.records[index]
        values = record.values
        folders = matched.get(index, [])
        if len(folders) > 1:
            report.ambiguous.append(f"{label(values)}: folders {', '.join(folders)}")
            continue
        if not folders and index in contested:
            continue
        if not folders:
            kept = values[column].strip() if column < len(values) else ""
            report.no_submission.append(label(values) + (f" (kept: {kept})" if kept else ""))
            continue
        grade = grades[folders[0]]
        while len(record.raw) <= column:
            record.raw.append("")
        record.raw[column] = quote(grade.total, table.sep, like=record.raw[column])
        report.filled.append((label(values), grade.student, grade.total))
        if not grade.status.startswith("graded"):
            report.not_graded_work.append(f"{grade.student}: {grade.total} ({grade.status})")


def _pick_column(header: list[str], wanted: str | None, candidates: list[int],
                 pattern: re.Pattern, kind: str) -> int:
    """The column ``wanted`` names: its whole header, or the name inside
    it (``Calculus 1`` for ``Calculus 1 (1234)``); with no name, the only
    candidate."""
    names = ", ".join(repr(header[i]) for i in candidates) or "none"
    if wanted is None:
        if len(candidates) == 1:
            return candidates[0]
        raise GradebookError(f"which {kind} column? give --column, one of: {names}")
    exact = [i for i, h in enumerate(header) if h.strip() == wanted.strip()]
    if not exact:
        exact = [i for i in candidates
                 if (m := pattern.match(header[i].strip())) and m["name"] == wanted.strip()]
    if len(exact) != 1:
        what = "no" if not exact else "more than one"
        raise GradebookError(f"{what} {kind} column named {wanted!r}; give --column, one of: "
                             f"{names}")
    if exact[0] not in candidates:
        raise GradebookError(f"{header[exact[0]]!r} is not a {kind} column an import changes; "
                             f"give one of: {names}")
    return exact[0]


def fill_canvas(data: bytes, grades: dict[str, Grade], *, column: str | None = None,
                roster: dict[str, str] | None = None, points: float | None = None
                ) -> tuple[bytes, Filled]:
    """A Canvas gradebook export with ``column`` filled from ``grades``."""
    table = parse_table(data)
    if not table.records:
        raise GradebookError("empty; export the gradebook from Canvas (Grades > Export > "
                             "Export Entire Gradebook)")
    header = [v.strip() for v in table.records[0].values]
    if header[:1] != [CANVAS_FIRST[0]] or CANVAS_FIRST[1] not in header:
        raise GradebookError("not a Canvas gradebook export (its first line should begin "
                             "Student,ID,SIS User ID,SIS Login ID,Section); export it from "
                             "Canvas: Grades > Export > Export Entire Gradebook")
    ids = [header.index(h) for h in CANVAS_IDS if h in header]
    assignments = [i for i, h in enumerate(header) if CANVAS_ASSIGNMENT.match(h)]
    target = _pick_column(header, column, assignments, CANVAS_ASSIGNMENT, "Canvas assignment")
    id_col = header.index("ID")
    students = [i for i, r in enumerate(table.records[1:], 1)
                if id_col < len(r.values) and r.values[id_col].strip()]
    report = Filled(header[target])
    for record in table.records[1:]:
        values = record.values
        if values and values[0].strip() == "Points Possible" and target < len(values):
            possible = values[target].strip()
            try:
                if points is not None and float(possible) != points:
                    report.warnings.append(
                        f"warning: {header[target]!r} has {possible} points possible in "
                        f"Canvas, the grader's totals are out of {points:g}: set the "
                        "assignment's points in Canvas to match before importing")
            except ValueError:
                pass

    def label(values: list[str]) -> str:
        who = next((values[c].strip() for c in ids if c < len(values) and values[c].strip()),
                   "")
        return f"{values[0].strip()} ({who})"
    fill(table, students=students, ids=ids, column=target, label=label,
         grades=grades, roster=roster, report=report)
    return table.text().encode("utf-8"), report


def fill_moodle(data: bytes, grades: dict[str, Grade], *, column: str | None = None,
                roster: dict[str, str] | None = None) -> tuple[bytes, Filled]:
    """A Moodle grade file (its plain-text export, or any CSV with an
    identifier column and a column per grade item) with ``column`` filled."""
    table = parse_table(data)
    if not table.records:
        raise GradebookError("empty; export the grades from Moodle (Grade administration > "
                             "Export > Plain text file)")
    header = [v.strip() for v in table.records[0].values]
    folded = [h.casefold() for h in header]
    ids = [folded.index(h) for h in MOODLE_IDS if h in folded]
    if not ids:
        raise GradebookError("no identifier column (Email address, Username or ID number) "
                             "in its first line; export the grades from Moodle (Grade "
                             "administration > Export > Plain text file) or add one")
    items = [i for i, h in enumerate(folded) if h and h not in MOODLE_NOT_ITEMS
             and not h.startswith("course total")]
    target = _pick_column(header, column, items, MOODLE_ITEM, "Moodle grade item")
    students = [i for i, r in enumerate(table.records[1:], 1)
                if any(c < len(r.values) and r.values[c].strip() for c in ids)]
    names = [folded.index(h) for h in ("first name", "last name") if h in folded]

    def label(values: list[str]) -> str:
        who = next((values[c].strip() for c in ids if c < len(values) and values[c].strip()),
                   "")
        name = " ".join(values[c].strip() for c in names if c < len(values)).strip()
        return f"{name} ({who})" if name else who
    report = Filled(header[target])
    fill(table, students=students, ids=ids, column=target, label=label,
         grades=grades, roster=roster, report=report)
    return table.text().encode("utf-8"), report


# ----------------------------------------------------------- the files

class FileError(GradebookError):
    """A GradebookError about one file, named in the message."""

    def __init__(self, path: Path, message: str):
        super().__init__(f"{path}: {message}")


def _read(path: Path, what: str) -> bytes:
    path = Path(path)
    if not path.is_file():
        raise FileError(path, f"no such file ({what})")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileError(path, f"cannot read it ({exc.strerror or exc})") from None


def class_totals(out: Path) -> tuple[dict[str, Grade], float | None]:
    """The graded students of grade-class's OUT, and the most an
    assignment's total can be (None when OUT does not say which)."""
    out = Path(out)
    grades_csv = out / "grades.csv"
    if not grades_csv.is_file():
        raise FileError(grades_csv, "no such file; grade the class first: python -m "
                        f"autograder grade-class SUBMISSIONS --out {out}")
    try:
        grades = read_grades(_read(grades_csv, "grade-class's table").decode("utf-8"))
    except UnicodeDecodeError:
        raise FileError(grades_csv, "not UTF-8 text; run grade-class again to rewrite "
                        "it") from None
    except GradebookError as exc:
        raise FileError(grades_csv, str(exc)) from None
    points = None
    try:
        import json
        from autograder.course import assignment
        name = json.loads((out / "class.json").read_text(encoding="utf-8"))["assignment"]
        points = assignment(name).points
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return grades, points


def make_import(out: Path, export: Path, output: Path, *, lms: str,
                column: str | None = None, roster: Path | None = None,
                force: bool = False) -> Filled:
    """Fill ``column`` of the LMS file ``export`` (``lms``: "canvas" or
    "moodle") with the totals of grade-class's ``out`` and write the
    result to ``output`` (never ``export`` itself), whole or not at all."""
    from autograder.channels.report import write_atomic
    export, output = Path(export), Path(output)
    if output.exists() and (output.resolve() == export.resolve()
                            or (export.exists() and output.samefile(export))):
        raise FileError(output, "is the export itself; write the import to another file "
                        "(-o import.csv), so the export stays as the LMS gave it")
    if output.is_dir():
        raise FileError(output, "is a folder; give the file to write with -o")
    if output.exists() and not force:
        raise FileError(output, "exists; give another -o, or --force to replace it")
    if not output.absolute().parent.is_dir():
        raise FileError(output, f"folder {output.parent} does not exist; create it first")
    grades, points = class_totals(out)
    mapping = None
    if roster is not None:
        try:
            mapping = read_roster(_read(roster, "the roster").decode("utf-8"))
        except UnicodeDecodeError:
            raise FileError(roster, "not UTF-8 text; save it as CSV UTF-8") from None
        except FileError:
            raise
        except GradebookError as exc:
            raise FileError(roster, str(exc)) from None
    data = _read(export, f"the {lms.capitalize()} gradebook export")
    try:
        if lms == "canvas":
            text, report = fill_canvas(data, grades, column=column, roster=mapping,
                                       points=points)
        else:
            text, report = fill_moodle(data, grades, column=column, roster=mapping)
    except GradebookError as exc:
        raise FileError(export, str(exc)) from None
    try:
        write_atomic(output, text)
    except OSError as exc:
        raise FileError(output, f"cannot write it ({exc.strerror or exc})") from None
    return report
