"""`gradebook`: a graded class's totals into a Canvas gradebook export and
a Moodle grade file, written as the LMSs document them; every cell checked,
every other byte kept; who has no submission, and which folder matches no
row, reported; a malformed file is one line and exit status 2."""

import csv
import io
import shutil
import subprocess
import sys

import pytest

from autograder.channels.class_grading import grade_class
from autograder.channels.gradebook import GradebookError, parse_table, read_roster
from autograder.engine.config import Limits
from conftest import CORPUS, EXERCISES, ROOT, SOLUTIONS

LIMITS = Limits(time_seconds=5, memory_bytes=512 * 1024**2, output_bytes=64 * 1024)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """grade-class's OUT for five students: alice and dave-gh correct (100),
    bob with a gradient descent that stops early (92: of that check's 12
    points, the 4 of its steps = 0 and steps = 1 cases), carol the untouched
    stubs (0, not attempted), erin correct but not in the gradebooks."""
    base = tmp_path_factory.mktemp("class")
    root = base / "submissions"
    for name in ("alice", "bob", "dave-gh", "erin"):
        shutil.copytree(SOLUTIONS, root / name)
    shutil.copyfile(CORPUS / "wrong" / "gd-stops-on-tolerance" / "gradient_descent.py",
                    root / "bob" / "gradient_descent.py")
    shutil.copytree(EXERCISES, root / "carol")
    out = base / "out"
    grade_class(root, out, workers=2, seed=3, limits=LIMITS, progress=False)
    with open(out / "grades.csv", newline="") as fh:
        totals = {r["student"]: (r["total"], r["status"]) for r in csv.DictReader(fh)}
    assert totals == {"alice": ("100", "graded"), "bob": ("92", "graded"),
                      "carol": ("0", "not attempted"), "dave-gh": ("100", "graded"),
                      "erin": ("100", "graded")}
    return out


# Canvas's gradebook export (Grades > Export): the identity columns, an
# assignment column per assignment named "NAME (ID)", read-only score
# columns; a "Points Possible" row second, a "Muted" row, then students.
# {A}, {B}, ... mark the cells the command is to fill.
CANVAS = [
    '\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,Calculus 1 (1234),Quiz 1 (77),'
    'Current Score,Unposted Current Score,Final Score,Unposted Final Score',
    '    Points Possible,,,,,100.00,10.00,(read only),(read only),(read only),(read only)',
    ',,,,,Muted,,,,,',
    '"Liddell, Alice",1001,S1001,alice,Section A,{A},9.00,90.00,90.00,90.00,90.00',
    '"Builder, Bob",1002,bob,bbuilder,Section A,{B},7.50,75.00,75.00,75.00,75.00',
    '"Singer, Carol",1003,S1003,CAROL,"Section B, evening",{C},,,,0.00,0.00',
    '"Dee, Dave",1004,S1004,dlogin,Section B,{D},10.00,100.00,100.00,100.00,100.00',
    '"Finch, Frank",1005,S1005,frank,Section B,,5.00,50.00,50.00,50.00,50.00',
    '"Gale, Gina",1006,S1006,gina,Section A,42,8.00,80.00,80.00,80.00,80.00',
    '"Student, Test",1099,,,Section A,,,,,,',
]


def canvas_text(fill=None, end="\r\n") -> bytes:
    text = end.join(CANVAS).format(**(fill or {"A": "", "B": "", "C": "", "D": ""})) + end
    return text.encode("utf-8")


def canvas_file(tmp_path, end="\r\n"):
    path = tmp_path / "export.csv"
    path.write_bytes(canvas_text(end=end))
    return path


@pytest.mark.parametrize("end", ["\r\n", "\n"])
def test_canvas_every_cell(graded, tmp_path, end):
    export = canvas_file(tmp_path, end=end)
    roster = tmp_path / "roster.csv"
    roster.write_text("folder,login\ndave-gh,dlogin\n")
    before = export.read_bytes()
    done = cli("gradebook", graded, "--canvas", export, "--column", "Calculus 1",
               "--roster", roster, "-o", tmp_path / "import.csv")
    assert done.returncode == 0, done.stderr
    assert export.read_bytes() == before                    # the export is never touched
    got = (tmp_path / "import.csv").read_bytes()
    # Byte for byte the export, but for the four cells: alice by SIS Login ID,
    # bob by SIS User ID, carol by login in another case, dave through the roster.
    assert got == canvas_text({"A": "100", "B": "92", "C": "0", "D": "100"}, end=end)
    rows = list(csv.reader(io.StringIO(got.decode("utf-8-sig"))))
    assert [r[5] for r in rows] == ["Calculus 1 (1234)", "100.00", "Muted", "100", "92", "0",
                                    "100", "", "42", ""]
    out = done.stdout
    assert "4 scores in 'Calculus 1 (1234)'" in out
    assert "no submission graded: cell left as it was (blank, never 0): 3" in out
    assert "  Finch, Frank (frank)\n" in out and "  Gale, Gina (gina) (kept: 42)\n" in out
    assert "  Student, Test (1099)\n" in out
    assert "folders matching no gradebook row" in out and "  erin (total 100)\n" in out
    assert "  carol: 0 (not attempted)\n" in out


def test_canvas_by_id_and_the_column_by_its_header(graded, tmp_path):
    export = canvas_file(tmp_path)
    roster = tmp_path / "roster.csv"       # GitHub Classroom's roster export, by Canvas ID
    roster.write_text('"identifier","github_username","github_id","name"\n'
                      '"1004","dave-gh","77","Dave Dee"\n')
    done = cli("gradebook", graded, "--canvas", export, "--column", "Calculus 1 (1234)",
               "--roster", roster, "-o", tmp_path / "import.csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.reader(io.StringIO((tmp_path / "import.csv").read_text("utf-8-sig"))))
    assert rows[6][:6] == ["Dee, Dave", "1004", "S1004", "dlogin", "Section B", "100"]


def test_canvas_points_possible_that_differ_are_warned(graded, tmp_path):
    export = canvas_file(tmp_path)
    done = cli("gradebook", graded, "--canvas", export, "--column", "Quiz 1",
               "-o", tmp_path / "import.csv")
    assert done.returncode == 0, done.stderr
    assert "'Quiz 1 (77)' has 10.00 points possible in Canvas" in done.stdout
    rows = list(csv.reader(io.StringIO((tmp_path / "import.csv").read_text("utf-8-sig"))))
    assert [r[6] for r in rows[3:]] == ["100", "92", "0", "10.00", "5.00", "8.00", ""]


# Moodle's plain-text grade export (Grade administration > Export): the
# user's name and identity fields, a column per grade item "TYPE: NAME
# (Real)", the course total, and when it was downloaded.
MOODLE = [
    "First name,Last name,ID number,Institution,Department,Email address,"
    "Assignment: Calculus 1 (Real),Assignment: Quiz 1 (Real),Course total (Real),"
    "Last downloaded from this course",
    "Alice,Liddell,S1001,Uni,Maths,alice@uni.example,{A},9.00,90.00,1764720000",
    "Bob,Builder,S1002,Uni,Maths,bob@uni.example,{B},7.50,75.00,1764720000",
    "Carol,Singer,S1003,Uni,Maths,carol@uni.example,{C},-,-,1764720000",
    "Dave,Dee,S1004,Uni,Maths,dave@uni.example,{D},10.00,100.00,1764720000",
    "Frank,Finch,S1005,Uni,Maths,frank@uni.example,-,5.00,50.00,1764720000",
]


def test_moodle_every_cell(graded, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("student,email\nalice,alice@uni.example\nbob,S1002\n"
                      "carol,Carol@Uni.Example\ndave-gh,dave@uni.example\n")
    export = tmp_path / "grades.csv"
    export.write_text("\n".join(MOODLE).format(A="-", B="-", C="-", D="-") + "\n")
    done = cli("gradebook", graded, "--moodle", export, "--column", "Calculus 1",
               "--roster", roster, "-o", tmp_path / "import.csv")
    assert done.returncode == 0, done.stderr
    expected = "\n".join(MOODLE).format(A="100", B="92", C="0", D="100") + "\n"
    assert (tmp_path / "import.csv").read_text() == expected
    assert "map the identifier and this column to its grade item" in done.stdout
    assert "  Frank Finch (frank@uni.example) (kept: -)\n" in done.stdout
    assert "  erin (total 100)\n" in done.stdout


def test_moodle_a_small_import_file_with_semicolons(graded, tmp_path):
    """The least Moodle's CSV import takes: an identifier column and a
    column per grade item, here separated by semicolons."""
    export = tmp_path / "mine.csv"
    export.write_text("username;Calculus 1\nalice;\n\nbob;\nzoe;\n")
    done = cli("gradebook", graded, "--moodle", export, "-o", tmp_path / "import.csv")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "import.csv").read_text() == ("username;Calculus 1\n"
                                                     "alice;100\n\nbob;92\nzoe;\n")
    assert "  zoe\n" in done.stdout
    for folder in ("carol (total 0)", "dave-gh (total 100)", "erin (total 100)"):
        assert f"  {folder}\n" in done.stdout


@pytest.mark.parametrize("content,args,says", [
    (b"First name,Email address,Calculus 1\n", ("--canvas",), "not a Canvas gradebook export"),
    ("Student,ID,Calculus 1 (1)\nJos\xe9,1,\n".encode("latin-1"), ("--canvas",), "not UTF-8"),
    (b'Student,ID,Calculus 1 (1)\n"Jo,1,\n', ("--canvas",), "a quote is never closed"),
    (b"Student,ID,A (1),B (2)\nJo,1,,\n", ("--canvas",), "which Canvas assignment column?"),
    (b"Student,ID,A (1),Current Score\nJo,1,,\n", ("--canvas", "--column", "Current Score"),
     "'Current Score' is not a Canvas assignment column"),
    (b"Student,ID,A (1)\nJo,1,\n", ("--canvas", "--column", "Calculus"),
     "no Canvas assignment column named 'Calculus'"),
    (b"Name,Calculus 1\nJo,\n", ("--moodle",), "no identifier column"),
    (b"", ("--moodle",), "empty"),
])
def test_a_malformed_export_is_one_line_and_exit_2(graded, tmp_path, content, args, says):
    export = tmp_path / "export.csv"
    export.write_bytes(content)
    done = cli("gradebook", graded, args[0], export, *args[1:], "-o", tmp_path / "import.csv")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"error: {export}: ") and says in done.stderr
    assert not (tmp_path / "import.csv").exists()


def test_never_in_place_never_over_a_file_never_without_grades(graded, tmp_path):
    export = canvas_file(tmp_path)
    before = export.read_bytes()
    done = cli("gradebook", graded, "--canvas", export, "-o", export, "--column", "Quiz 1")
    assert done.returncode == 2 and "is the export itself" in done.stderr
    assert export.read_bytes() == before
    (tmp_path / "import.csv").write_text("mine")
    done = cli("gradebook", graded, "--canvas", export, "-o", tmp_path / "import.csv")
    assert done.returncode == 2 and "--force" in done.stderr
    assert (tmp_path / "import.csv").read_text() == "mine"
    done = cli("gradebook", graded, "--canvas", export, "-o", tmp_path / "import.csv",
               "--column", "Calculus 1", "--force")
    assert done.returncode == 0 and (tmp_path / "import.csv").read_text() != "mine"
    done = cli("gradebook", tmp_path, "--canvas", export, "-o", tmp_path / "x.csv")
    assert done.returncode == 2 and f"{tmp_path / 'grades.csv'}: no such file" in done.stderr
    assert "grade-class" in done.stderr
    (tmp_path / "roster.csv").write_text("a,b\n1,2\n")
    done = cli("gradebook", graded, "--canvas", export, "-o", tmp_path / "x.csv",
               "--roster", tmp_path / "roster.csv")
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert f"{tmp_path / 'roster.csv'}: a roster needs a header" in done.stderr
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "grades.csv").write_text("name,score\nalice,3\n")
    done = cli("gradebook", tmp_path / "bad", "--canvas", export, "-o", tmp_path / "x.csv")
    assert done.returncode == 2 and "not grade-class's grades.csv" in done.stderr
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("text", [
    'a,b,c\r\n1,"two, and ""three""",\r\n',
    'a;b\n"multi\nline";x\n;\n',
    "a\tb\rx\ty\r",
    "\ufeffa,b\n1,2",                     # no line end after the last record
    'a,b\n"q"tail,2\n,\n\n',
])
def test_a_table_is_written_back_byte_for_byte(text):
    table = parse_table(text.encode("utf-8"))
    assert table.text() == text
    assert [r.values for r in table.records] == list(csv.reader(
        io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=table.sep))


def test_the_roster_takes_github_classrooms_export():
    assert read_roster('"identifier","github_username","github_id","name"\n'
                       '"jdoe@uni.example","jd-gh","1","J D"\n"","nobody","2",""\n') == {
        "jd-gh": "jdoe@uni.example"}
    with pytest.raises(GradebookError):
        read_roster("who,what\n")


def test_a_match_that_is_not_one_to_one_fills_nothing():
    from autograder.channels.gradebook import Grade, fill_canvas
    export = (b"Student,ID,SIS User ID,SIS Login ID,Section,A (1)\n"
              b"Jo One,1,jo,jo1,S,\nJo Two,2,x,JO,S,\nAnn,3,ann,ann,S,\nBen,4,S4,ben,S,\n")
    grades = {name: Grade(name, total, "graded")
              for name, total in (("jo", "50"), ("ann", "70"), ("ben", "80"), ("ben2", "90"))}
    text, report = fill_canvas(export, grades, roster={"ben2": "ben"})
    assert text == export.replace(b"Ann,3,ann,ann,S,", b"Ann,3,ann,ann,S,70")
    assert report.ambiguous == ["folder jo: rows Jo One (jo1), Jo Two (JO)",
                                "Ben (ben): folders ben, ben2"]
    assert report.no_submission == []          # they are listed as ambiguous, once
    assert [f[1] for f in report.filled] == ["ann"]
