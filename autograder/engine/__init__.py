"""The engine: what is graded and how it is judged.

Exercises as data (:mod:`.spec`), the grading loop (:mod:`.runner`), the
pure judges (:mod:`.judging`, :mod:`.tolerance`), outcomes, limits,
expression trees, the seed sweep and the grader's own budget.  The engine
takes the assignment to grade as an argument: it imports nothing from the
course, the intake or the channels (tests/test_layering.py holds it to that).
"""
