"""The Python client's generated half (clients/python/credits_saas_api), made
from the OpenAPI document the API serves (backend/chalicelib/web/openapi.py)
by openapi-python-client, pinned in requirements-dev.txt.

    python scripts/client.py           # regenerate (what `make client` runs)
    python scripts/client.py --check   # exit 1 if the committed client differs

The document is saved beside the package (clients/python/openapi.json), and
the code is generated in a scratch folder, formatted by the pinned ruff with
no project settings, then copied over, so that the output depends only on
the document and the two pinned tools. tests/test_python_client.py fails
when the committed client is not what the current document generates.
"""
import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys
import tempfile

from scripts import ROOT

CLIENT = os.path.join(ROOT, "clients", "python")
PACKAGE = "credits_saas_api"
DOCUMENT = "openapi.json"
CONFIG = """\
package_name_override: %s
post_hooks:
  - "ruff check --isolated --fix-only --select F401,I ."
  - "ruff format --isolated ."
""" % PACKAGE


def document():
    """The document `GET /openapi.json` serves, with the stages' route costs."""
    from chalicelib.web import openapi
    from scripts.api_table import load_costs

    return openapi.build(load_costs())


def generate(destination):
    """Writes openapi.json and the generated package into `destination`."""
    os.makedirs(destination, exist_ok=True)
    text = json.dumps(document(), indent=2, sort_keys=False) + "\n"
    with open(os.path.join(destination, DOCUMENT), "w") as handle:
        handle.write(text)
    bin_dir = os.path.dirname(os.path.abspath(sys.executable))
    environ = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    with tempfile.TemporaryDirectory() as scratch:
        config = os.path.join(scratch, "config.yaml")
        with open(config, "w") as handle:
            handle.write(CONFIG)
        output = os.path.join(scratch, PACKAGE)
        subprocess.run(
            [os.path.join(bin_dir, "openapi-python-client"), "generate", "--path",
             os.path.join(destination, DOCUMENT), "--config", config, "--meta", "none",
             "--output-path", output],
            check=True, cwd=scratch, env=environ, stdout=subprocess.DEVNULL)
        target = os.path.join(destination, PACKAGE)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(output, target, ignore=shutil.ignore_patterns("__pycache__", ".ruff_cache"))


def differences(left, right):
    """Files that differ, or exist on one side only, under the generated package and the document."""
    found = []
    if not filecmp.cmp(os.path.join(left, DOCUMENT), os.path.join(right, DOCUMENT), shallow=False):
        found.append(DOCUMENT)

    def walk(comparison, prefix):
        found.extend(prefix + name for name in comparison.left_only + comparison.right_only
                     if name not in ("__pycache__", ".ruff_cache"))
        _, mismatch, errors = filecmp.cmpfiles(comparison.left, comparison.right, comparison.common_files,
                                               shallow=False)
        found.extend(prefix + name for name in mismatch + errors)
        for name, sub in comparison.subdirs.items():
            if name not in ("__pycache__", ".ruff_cache"):
                walk(sub, prefix + name + "/")

    if os.path.isdir(os.path.join(left, PACKAGE)) and os.path.isdir(os.path.join(right, PACKAGE)):
        walk(filecmp.dircmp(os.path.join(left, PACKAGE), os.path.join(right, PACKAGE)), PACKAGE + "/")
    else:
        found.append(PACKAGE + "/")
    return sorted(set(found))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    if not args.check:
        generate(CLIENT)
        print("Generated %s from the OpenAPI document." % os.path.relpath(os.path.join(CLIENT, PACKAGE), ROOT))
        return 0
    with tempfile.TemporaryDirectory() as fresh:
        generate(fresh)
        changed = differences(CLIENT, fresh)
    if changed:
        print("clients/python is not what the current OpenAPI document generates (run `make client`):\n  "
              + "\n  ".join(changed))
        return 1
    print("clients/python matches the OpenAPI document.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
