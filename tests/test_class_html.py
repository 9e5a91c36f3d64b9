"""The class report (OUT/report.html) as a teacher sees it, in a real
headless Chromium, and the hint use read from the students' notebooks."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder.channels import cli as cli_module
from autograder.channels.hint_log import HINT_MIME, hints_in, hints_used
from browser import look
from conftest import CORPUS, EXERCISES, ROOT, SOLUTIONS


def hint(function, level, *, as_text=False):
    record = {"function": function, "level": level}
    return new_output("display_data", data={
        HINT_MIME: json.dumps(record) if as_text else record,
        "text/plain": f"hint for {function} (level {level})"})


def write_notebook(path: Path, source: str, outputs=()) -> Path:
    cell = new_code_cell(source)
    cell.outputs = list(outputs)
    nb = new_notebook(cells=[new_markdown_cell("# exercise"), cell])
    nbformat.write(nb, path)
    return path


def test_the_hint_reader_keeps_each_function_s_highest_level(tmp_path):
    first = write_notebook(tmp_path / "derivatives.ipynb", "x = 1", [
        hint("df", 1), hint("df", 2),
        new_output("stream", name="stdout", text="hello\n"),
        new_output("display_data", data={"text/plain": "a picture"}),
        new_output("execute_result", data={HINT_MIME: {"function": "slope_at_2", "level": 1}},
                   execution_count=1),
        # not records: no level, level 0, a string level, a boolean, no function
        new_output("display_data", data={HINT_MIME: {"function": "df"}}),
        new_output("display_data", data={HINT_MIME: {"function": "df", "level": 0}}),
        new_output("display_data", data={HINT_MIME: {"function": "df", "level": "9"}}),
        new_output("display_data", data={HINT_MIME: {"function": "df", "level": True}}),
        new_output("display_data", data={HINT_MIME: {"level": 4}}),
        new_output("display_data", data={HINT_MIME: "not json"}),
    ])
    second = write_notebook(tmp_path / "neuron.ipynb", "y = 2",
                            [hint("df", 3, as_text=True), hint("loss", 1)])
    plain = write_notebook(tmp_path / "weight_updates.ipynb", "z = 3")
    broken = tmp_path / "gradient_descent.ipynb"
    broken.write_text('{"cells": [' + HINT_MIME)          # cut short: adds nothing
    assert hints_in(nbformat.read(first, as_version=4)) == {"df": 2, "slope_at_2": 1}
    assert hints_used([first]) == {"df": 2, "slope_at_2": 1}
    assert hints_used([first, second, plain, broken, tmp_path / "missing.ipynb"]) == \
        {"df": 3, "slope_at_2": 1, "loss": 1}
    assert hints_used([plain, broken]) == {}
    assert hints_used([second.read_bytes()]) == {"df": 3, "loss": 1}


def test_the_reader_reads_the_records_the_notebooks_write():
    """The classroom's hint() and the reader agree on the record's media
    type (a solution shown, {"function", "solution": true}, has no level
    and is not counted as a hint)."""
    from autograder.channels.notebook import HINT_MIME as RECORDED
    assert RECORDED == HINT_MIME
    nb = new_notebook(cells=[new_code_cell("hint('df')")])
    nb.cells[0].outputs = [
        new_output("display_data", data={RECORDED: {"function": "df", "level": 1}}),
        new_output("display_data", data={RECORDED: {"function": "df", "solution": True}})]
    assert hints_in(nb) == {"df": 1}


def notebook_student(folder: Path, source_folder: Path, hints: dict[str, dict[str, int]]):
    """A student who handed in the assignment's notebooks: each module's
    code in one cell, with the hints asked for (per module) as outputs."""
    folder.mkdir(parents=True)
    for path in source_folder.glob("*.py"):
        levels = hints.get(path.stem, {})
        outputs = [hint(f, level) for f, top in levels.items() for level in range(1, top + 1)]
        write_notebook(folder / f"{path.stem}.ipynb", path.read_text(), outputs)


def copy(src: Path, dst: Path):
    dst.mkdir(parents=True, exist_ok=True)
    for path in src.glob("*.py"):
        shutil.copyfile(path, dst / path.name)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A class graded by grade-class: notebooks with hints, modules,
    misconceptions, an untouched stub, an empty folder, names a browser
    must quote and a page must escape."""
    base = tmp_path_factory.mktemp("report")
    root = base / "class"
    notebook_student(root / "ann", SOLUTIONS, {"derivatives": {"df": 2},
                                               "gradient_descent": {"gradient_descent": 1}})
    ascent = base / "ascent"
    copy(SOLUTIONS, ascent)
    copy(CORPUS / "misconceptions" / "gd-ascent", ascent)
    notebook_student(root / "ben", ascent, {"gradient_descent": {"gradient_descent": 3}})
    copy(SOLUTIONS, root / "cat")
    copy(ascent, root / "dan")
    copy(SOLUTIONS, root / "fay & co")
    copy(CORPUS / "misconceptions" / "loss-no-half", root / "fay & co")
    copy(SOLUTIONS, root / "zed <b>")
    copy(CORPUS / "misconceptions" / "df-returns-f", root / "zed <b>")
    copy(EXERCISES, root / "eve")
    (root / "hal").mkdir()
    out = base / "out"
    run = subprocess.run([sys.executable, "-m", "autograder", "grade-class", str(root),
                          "--out", str(out), "--seed", "7", "--workers", "2", "--no-progress",
                          "--timeout", "3"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    return root, out, run.stdout


def test_grade_class_keeps_the_hints_and_names_who_showed_each_misconception(graded):
    _, out, stdout = graded
    assert f"class report: {out / 'report.html'}" in stdout
    extra = json.loads((out / "ann" / "results.json").read_text())["extra_data"]
    assert extra["hints"] == {"df": 2, "gradient_descent": 1}
    assert json.loads((out / "ben" / "results.json").read_text())["extra_data"]["hints"] == \
        {"gradient_descent": 3}
    assert "hints" not in json.loads((out / "cat" / "results.json").read_text())["extra_data"]
    with open(out / "misconceptions.csv", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == ["misconception", "check", "students", "title", "hint",
                                "student_names"]
        rows = {(r[0], r[1]): r for r in reader}
    ascent = rows[("gd-ascent", "gradient_descent: gradient_descent returns the iterates")]
    assert ascent[2] == "2" and ascent[5] == "ben; dan"
    assert rows[("df-returns-f", "derivatives: df is the derivative of f")][5] == "zed <b>"
    assert all(len(r) == 6 and r[2] == str(len(r[5].split("; "))) for r in rows.values())


def test_the_report_in_a_browser(graded, browser):
    """It loads, draws its three pictures, logs no error, asks for nothing
    over the network; its links reach each student's files; it shows the
    misconceptions with who showed them, and the hint use."""
    _, out, _ = graded
    page = look(browser, out / "report.html")          # screenshot: OUT/report.png
    assert page.errors == [] and page.requests == [] and page.broken_images == []
    assert len(page.images) == 3 and all(w > 200 and h > 100 for w, h in page.images)
    assert page.title == "Class report: calculus"
    text = page.text
    assert "8 students, 6 with graded work" in text
    assert "steps taken along the gradient (ascent)" in text
    ranked = text[text.index("Misconceptions"):text.index("Hint use")]
    assert ranked.index("ascent") < ranked.index("ben, dan") < ranked.index("zed <b>")
    hints = text[text.index("Hint use"):text.index("\nStudents\n")]
    # function, students, level 1, level 2, level 3
    assert "gradient_descent\t2\t1\t\t1" in hints and "df\t1\t\t1" in hints
    assert "zed <b>" in text                       # shown as typed, not taken as markup
    context = browser.new_context(offline=True)
    try:
        view = context.new_page()
        view.goto((out / "report.html").as_uri())
        links = view.evaluate("[...document.links].map(a => a.href)")
        bold = view.evaluate("document.querySelectorAll('table b').length")
    finally:
        context.close()
    assert bold == 0
    targets = {Path(unquote(urlparse(link).path)) for link in links}
    assert all(urlparse(link).scheme == "file" for link in links)
    assert all(t.is_file() and out in t.parents for t in targets), targets
    students = {"ann", "ben", "cat", "dan", "eve", "fay & co", "hal", "zed <b>"}
    assert {t.parent.name for t in targets} == students
    assert {t.name for t in targets} == {"feedback.txt", "results.json"}


def test_without_matplotlib_the_tables_are_written_and_one_line_says_how(
        tmp_path, capsys, monkeypatch):
    root = tmp_path / "class"
    (root / "hal").mkdir(parents=True)             # nothing to run: graded at once
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.html").write_text("an old report, of other results")
    for name in ["matplotlib", *(m for m in sys.modules if m.startswith("matplotlib."))]:
        monkeypatch.setitem(sys.modules, name, None)          # importing any of it fails
    monkeypatch.delitem(sys.modules, "autograder.channels.class_html", raising=False)
    status = cli_module.main(["grade-class", str(root), "--out", str(out), "--seed", "1",
                              "--no-progress", "--workers", "1"])
    printed = capsys.readouterr().out.splitlines()
    assert status == 0
    assert [line for line in printed if "report" in line] == [
        "report.html not written: it needs matplotlib and Jinja2; pip install "
        "'calculus-autograder[html]' and run class-report OUT"]
    assert all((out / name).is_file() for name in ("grades.csv", "checks.csv",
                                                     "misconceptions.csv"))
    assert not (out / "report.html").exists()


def test_class_report_of_a_class_with_nobody_graded_yet(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "class.json").write_text('{"seed": 4, "assignment": "optimizers"}\n')
    (out / "ghost").mkdir()                        # a folder with no results: no row
    assert cli_module.main(["class-report", str(out)]) == 0
    assert "0 students with results" in capsys.readouterr().out
    page = (out / "report.html").read_text()
    assert "<title>Class report: optimizers</title>" in page
    assert "No student is graded yet." in page and "<img" not in page
    assert (out / "grades.csv").read_text().splitlines() == [
        "student,momentum,minibatch,adaptive,backprop,total,seed,status"]
