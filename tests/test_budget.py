"""The budget on the grader's own work (autograder/engine/budget.py): a helper
process that answers in plain data, and is killed and replaced past its
deadline or memory limit.  Every function here ends by itself: the
endless ones within a minute, the memory hog at the helper's limit
(64 MiB above the test process)."""

from __future__ import annotations

import os
import time

from autograder.engine import budget


def pid_and(value):
    return [os.getpid(), value]


def sleep_then(seconds):
    time.sleep(seconds)
    return seconds


def hog(_):
    chunks = []
    for _ in range(4096):   # 4 GiB at most, stopped at the helper's limit long before
        chunks.append(bytearray(1024 * 1024))
    return len(chunks)


def raises(_):
    raise ValueError("the grader's own bug")


def test_answers_come_back_as_plain_data_from_one_helper():
    first = budget.run_bounded(pid_and, {"a": [1, 2.5, None]})
    second = budget.run_bounded(pid_and, "again")
    assert first.status == second.status == "done"
    assert first.value[1] == {"a": [1, 2.5, None]} and second.value[1] == "again"
    assert first.value[0] == second.value[0] != os.getpid()


def test_past_the_deadline_the_helper_is_killed_and_replaced():
    before = budget.run_bounded(pid_and, 0).value[0]
    late = budget.run_bounded(sleep_then, 60, seconds=0.2)
    assert late.status == "time" and late.over_budget
    after = budget.run_bounded(pid_and, 0)
    assert after.status == "done" and after.value[0] != before
    try:
        os.kill(before, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive, "the helper that ran late is still there"


# The hog stops at any limit: 64 MiB (not the grader's 256) fills sooner
# and says the same.
HOG_LIMIT = 64 * budget.MIB


def test_past_the_memory_limit_the_answer_says_memory():
    result = budget.run_bounded(hog, None, memory_bytes=HOG_LIMIT)
    assert result.status == "memory" and result.over_budget
    assert budget.run_bounded(pid_and, 1, memory_bytes=HOG_LIMIT).status == "done"


def test_an_exception_is_named_and_the_helper_goes_on():
    before = budget.run_bounded(pid_and, 0).value[0]
    failed = budget.run_bounded(raises, None)
    assert failed.status == "failed" and failed.detail == "ValueError"
    assert not failed.over_budget
    assert budget.run_bounded(pid_and, 0).value[0] == before
