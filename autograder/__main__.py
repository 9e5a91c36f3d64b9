import os
import sys

from autograder.channels.cli import main

try:
    code = main()
    sys.stdout.flush()
except BrokenPipeError:
    # The reader went away (`... | head`): nothing more to say to it.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    code = 0
# Everything is written and closed by now; skip tearing down numpy's and
# sympy's module state at exit, which costs a tenth of a second.
sys.stderr.flush()
os._exit(code)
