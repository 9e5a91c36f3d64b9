"""Feedback text, rendered from :class:`~autograder.engine.outcomes.Feedback` in
one place for the terminal, pytest and results.json alike."""

from __future__ import annotations

from autograder.engine.outcomes import CheckResult, Feedback, Outcome


def render(feedback: Feedback, indent: str = "") -> str:
    lines = [feedback.summary]
    for label, text in (("call", feedback.inputs), ("got", feedback.got),
                        ("expected", feedback.expected)):
        if text:
            lines.append(f"  {label + ':':<9} {text}")
    if feedback.table:
        lines.extend("  " + row for row in feedback.table.splitlines())
    if feedback.hint:
        lines.append(f"  hint:     {feedback.hint}")
    if feedback.note:
        lines.append(f"  note:     {feedback.note}")
    if feedback.printed:
        lines.append("  printed:  (what your code printed during this call)")
        lines.extend("    | " + row for row in feedback.printed.splitlines())
    return "\n".join(indent + line for line in lines)


def render_check(result: CheckResult) -> str:
    """The text for one check, as a student reads it."""
    v = result.verdict
    head = f"[{v.outcome.label}] {result.exercise}.{result.function}: {result.name}"
    if v.outcome is Outcome.PASSED and not v.feedback.note:
        return head
    return head + "\n" + render(v.feedback, indent="    ")
