"""The channels: how people and harnesses reach the grader.

The command line, the pytest plugin, class grading and its report, the
nbgrader classroom and the notebook's check()/hint(), Gradescope and GitHub
Classroom, and the results formats they write.  Channels may import
anything; nothing imports them.
"""
