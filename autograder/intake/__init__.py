"""The intake: what a user hands in, turned into the modules to grade.

A folder, the modules one folder down, a zip, or nbgrader notebooks (whose
cells become a module).  It imports nothing from the course or the channels:
the assignment's module names are an argument.  Every channel goes through
:func:`autograder.intake.submission.intake`; :mod:`.archive` reads zips,
:mod:`.ipynb` and :mod:`.cells` notebooks.
"""
