"""What a person (or the Makefile) runs, and the libraries behind it:
`devstack/` (the local stack), `measure/` (costs and sizes), `deploy/`,
`catalog/` (products.json) and `ops/`.

Installed with the backend by `make install` (pyproject.toml, editable), so
scripts and tests import `scripts.*`, `chalicelib.*` and `app` by name, and
an entry point runs as a file from anywhere: `python scripts/admin.py …`."""
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKEND = os.path.join(ROOT, "backend")
