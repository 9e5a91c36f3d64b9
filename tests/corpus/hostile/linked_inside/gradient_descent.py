"""Runs a file that is a symbolic link to one outside the submission."""
with open("answer.txt", encoding="utf-8") as _fh:
    exec(_fh.read())
