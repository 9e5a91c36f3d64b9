import os
import sys

from .cli import main

code = main()
# Everything is written and closed by now; skip tearing down numpy's and
# sympy's module state at exit, which costs a tenth of a second.
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
