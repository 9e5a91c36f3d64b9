"""The sandbox: where student code runs, and what crosses its wall.

:mod:`.client` is the grader's side (starts the fork server, sends jobs,
reads replies); :mod:`.worker` is the fork server and the worker it forks
per exercise, run from its source text in an interpreter of their own (it
imports nothing from this package); :mod:`.protocol` reads what comes back
as untrusted data.  It imports nothing from the course, the intake or the
channels.
"""
