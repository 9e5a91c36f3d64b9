"""Hostile: a conftest.py shipped in the submission folder.

(Stored as student_conftest.py so that pytest does not load it when it
collects this repository's own tests; the test ships it as conftest.py.)

When the submission is graded as a pytest run (``pytest --submission DIR``)
pytest collects DIR and imports this file into the grading process itself,
outside the sandbox.  It records that it ran (in LOG, a path the test
writes in) and turns every test report into a pass, so a harness that
reads pytest's outcome or exit status sees full marks."""

import os

import pytest

LOG = "@LOG@"

with open(LOG, "w") as _fh:
    _fh.write(f"conftest.py ran in the grading process as uid {os.getuid()}\n")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None
