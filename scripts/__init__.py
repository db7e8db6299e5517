"""What a person (or the Makefile) runs, and the libraries behind it:
`devstack/` (the local stack), `measure/` (costs and sizes), `deploy/`.

Importing this package puts backend/ on sys.path, so every script and test
finds `chalicelib` and `app` the same way. An entry point run as a file
(`python scripts/dev.py`) first imports `_bootstrap`, which makes this
package importable."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKEND = os.path.join(ROOT, "backend")

if BACKEND not in sys.path:
    sys.path.insert(0, BACKEND)
