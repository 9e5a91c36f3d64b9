"""The reports: the score table and Gradescope's results.json, from a
graded submission."""

import json

from autograder.engine.outcomes import (CheckResult, ExerciseResult, Feedback, Outcome,
                                 SubmissionResult, Verdict)
from autograder.channels.report import gradescope, score_table, write_json_atomic


def _result(notes=()):
    passed = Verdict(Outcome.PASSED, Feedback("all 3 cases agree"))
    wrong = Verdict(Outcome.FAILED, Feedback("wrong in 1 of 3 cases", got="1", expected="2",
                                             hint="a hint"), misconception="gd-ascent")
    checks = (CheckResult("gradient_descent", "a", "gradient_descent", 12, wrong),
              CheckResult("gradient_descent", "b", "quadratic_grad", 5, passed))
    return SubmissionResult("sub", 7, (ExerciseResult("gradient_descent", "sub/gd.py", checks),),
                            notes)


def test_gradescope_fields_and_scores():
    data = gradescope(_result())
    assert data["score"] == 5 and data["extra_data"]["seed"] == 7
    first, second = data["tests"]
    assert (first["score"], first["max_score"], second["score"]) == (0, 12, 5)
    assert first["tags"][0] == "gradient_descent"
    assert "misconception:gd-ascent" in first["tags"]
    assert "a hint" in first["output"] and "expected: 2" in first["output"]


def test_notes_reach_the_table_and_the_results():
    result = _result(notes=("could not be fully isolated",))
    assert "note: could not be fully isolated" in score_table(result)
    assert "could not be fully isolated" in gradescope(result)["output"]
    assert "1 wrong" in score_table(result) and "5/17" in score_table(result)


def test_results_are_written_whole(tmp_path):
    path = tmp_path / "results.json"
    path.write_text("old")
    write_json_atomic(path, gradescope(_result()))
    assert json.loads(path.read_text())["score"] == 5
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]   # no temp file left
