"""Imported first by an entry point run as a file (`python scripts/dev.py`,
where only scripts/ is on sys.path): puts the repository on sys.path so that
`scripts.*` imports work; importing `scripts` then adds backend/."""
import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import scripts  # noqa: E402,F401
