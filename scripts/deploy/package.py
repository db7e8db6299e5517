"""The Lambda package: built by Chalice as it ships, then slimmed.

Chalice packages app.py, chalicelib/ and backend/requirements.txt with every
dependency. pynamodb depends on botocore, so botocore is 16 MB of Chalice's
21.7 MB zip, although the Lambda Python runtime ships boto3, botocore,
s3transfer and jmespath. `slim_zip()` rewrites a built zip without what the
function never needs:

- the runtime's packages (RUNTIME_PROVIDED) and their metadata: the
  function uses the runtime's copies;
- files nothing loads at run time: compiled bytecode left behind by a
  local run, the tests some packages ship (certifi/tests/), and the Swagger
  UI assets aws_lambda_powertools bundles (the app serves no Swagger UI).

Then `add_bytecode()` compiles the app's own code (app.py, chalicelib/) into
the zip, as unchecked-hash .pyc files: /var/task is read-only, so without
them every cold start compiles the app's sources again (about a third of
what importing app.py costs). Only when this Python is the function's
runtime (the bytecode is per Python version; another one would ignore it).

`package()` runs `chalice package` unchanged and slims what it built: the
copy in the output directory and Chalice's own in .chalice/deployments/.
Chalice names that one after requirements.txt, app.py, chalicelib/ and
vendor/, and `chalice deploy` reuses it for the same files ("Reusing existing
deployment package"), so the deploy packages first and then deploys the
slim package; `full_packages()` tells whether Chalice built another one
instead. A plain `chalice deploy` after a code change builds, and ships, the
full package again; `make deploy-app` ships the slim one."""
import glob
import importlib.util
import json
import os
import py_compile
import re
import shutil
import sys
import tempfile
import zipfile

RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath")
NOT_LOADED = ("aws_lambda_powertools/event_handler/openapi/swagger_ui/swagger-ui-bundle.min.js",
              "aws_lambda_powertools/event_handler/openapi/swagger_ui/swagger-ui.min.css")


def _normalized(name):
    return re.sub(r"[-_.]+", "_", name).lower()


_RUNTIME = {_normalized(name) for name in RUNTIME_PROVIDED}


def left_out(name):
    """What the zip entry `name` is, if it is left out of the Lambda package
    (a runtime package's name, "bytecode", "tests",
    "Swagger UI assets"); None if it stays."""
    parts = name.split("/")
    top = parts[0]
    distribution = top.split("-")[0] if top.endswith((".dist-info", ".data")) else top
    if _normalized(distribution) in _RUNTIME:
        return distribution
    if "__pycache__" in parts or name.endswith(".pyc"):
        return "bytecode"
    if "tests" in parts[:-1]:
        return "tests"
    if name in NOT_LOADED:
        return "Swagger UI assets"
    return None


def slim_zip(zip_path):
    """Rewrites the zip without what `left_out` names; returns the names left out."""
    removed = []
    with zipfile.ZipFile(zip_path) as source:
        entries = source.infolist()
        removed = [entry.filename for entry in entries if left_out(entry.filename)]
        if not removed:
            return removed
        handle, slim_path = tempfile.mkstemp(suffix=".zip", dir=os.path.dirname(os.path.abspath(zip_path)))
        os.close(handle)
        try:
            with zipfile.ZipFile(slim_path, "w", zipfile.ZIP_DEFLATED) as target:
                for entry in entries:
                    if not left_out(entry.filename):
                        target.writestr(entry, source.read(entry))
        except BaseException:
            os.remove(slim_path)
            raise
    shutil.copymode(zip_path, slim_path)
    os.replace(slim_path, zip_path)
    return removed


APP_CODE = ("app.py", "chalicelib/")


def is_app_code(name):
    return name.endswith(".py") and (name == APP_CODE[0] or name.startswith(APP_CODE[1]))


def is_app_bytecode(name):
    """What add_bytecode adds: __pycache__/app.*.pyc, chalicelib/**/__pycache__/*.pyc."""
    parts = name.split("/")
    return (name.endswith(".pyc") and len(parts) >= 2 and parts[-2] == "__pycache__"
            and (parts[0] == "chalicelib" or (len(parts) == 2 and parts[1].startswith("app."))))


def add_bytecode(zip_path):
    """Adds __pycache__/<module>.cpython-XY.pyc beside each module of the
    app's own code, compiled by this Python (unchecked-hash: Python loads it
    without comparing it to the source, whose time the zip does not keep
    exactly). Returns the names added."""
    added = []
    with tempfile.TemporaryDirectory() as scratch, zipfile.ZipFile(zip_path, "a", zipfile.ZIP_DEFLATED) as archive:
        present = set(archive.namelist())
        for name in sorted(name for name in present if is_app_code(name)):
            source = os.path.join(scratch, name)
            os.makedirs(os.path.dirname(source), exist_ok=True)
            with open(source, "wb") as handle:
                handle.write(archive.read(name))
            cached = os.path.relpath(importlib.util.cache_from_source(source), scratch).replace(os.sep, "/")
            if cached in present:
                continue
            py_compile.compile(source, cfile=os.path.join(scratch, cached), dfile=name, doraise=True,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            archive.write(os.path.join(scratch, cached), cached)
            added.append(cached)
    return added


def runtime_of(sam_path):
    """The functions' runtime in the SAM template, e.g. 'python3.11'."""
    with open(sam_path) as handle:
        resources = json.load(handle)["Resources"]
    runtimes = {resource["Properties"].get("Runtime") for resource in resources.values()
                if resource["Type"] == "AWS::Serverless::Function"}
    return runtimes.pop() if len(runtimes) == 1 else None


def this_python():
    return "python%d.%d" % sys.version_info[:2]


def holds_runtime_packages(zip_path):
    with zipfile.ZipFile(zip_path) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    return any(top in RUNTIME_PROVIDED for top in tops)


def cached_packages(project_dir):
    return sorted(glob.glob(os.path.join(project_dir, ".chalice", "deployments", "*.zip")))


def full_packages(project_dir):
    """Chalice's cached packages that still hold something `left_out` names
    (other than the app's own bytecode, which add_bytecode put there)."""
    full = []
    for path in cached_packages(project_dir):
        with zipfile.ZipFile(path) as archive:
            if any(left_out(name) and not is_app_bytecode(name) for name in archive.namelist()):
                full.append(path)
    return full


def trace_the_api(sam_path):
    """`chalice package` turns the `xray` setting into `Tracing: Active` on
    the functions but leaves the API stage untraced: trace it too when the
    functions are traced (the deploy does the same, api.tracing_operations)."""
    with open(sam_path) as handle:
        template = json.load(handle)
    resources = template["Resources"]
    traced = any(resource["Properties"].get("Tracing") == "Active" for resource in resources.values()
                 if resource["Type"] == "AWS::Serverless::Function")
    if traced and "RestAPI" in resources:
        resources["RestAPI"]["Properties"]["TracingEnabled"] = True
        with open(sam_path, "w") as handle:
            json.dump(template, handle, indent=2)


def package(project_dir, out_dir, stage, run_chalice=None):
    """`chalice package --stage <stage> <out_dir>`, then the package slimmed:
    out_dir/deployment.zip and Chalice's cached copy, which `chalice deploy`
    reuses. Returns (deployment.zip, the size Chalice built, names left out).
    `run_chalice(*arguments)` runs Chalice's CLI on the project (default: in
    this process)."""
    if run_chalice is None:
        def run_chalice(*arguments):
            _run_chalice(["--project-dir", project_dir] + list(arguments))
    run_chalice("package", "--stage", stage, out_dir)
    trace_the_api(os.path.join(out_dir, "sam.json"))
    zip_path = os.path.join(out_dir, "deployment.zip")
    built = os.path.getsize(zip_path)
    removed = slim_zip(zip_path)
    compile_app = runtime_of(os.path.join(out_dir, "sam.json")) == this_python()
    if compile_app:
        add_bytecode(zip_path)
    for path in cached_packages(project_dir):
        slim_zip(path)
        if compile_app:
            add_bytecode(path)
    return zip_path, built, removed


def _run_chalice(arguments):
    import chalice.cli

    chalice.cli.cli.main(arguments, obj={}, standalone_mode=False)


def describe(zip_path, built, removed):
    """E.g. '4.31 MB (Chalice built 21.68 MB; left out boto3, botocore, ...)'."""
    what = sorted({left_out(name) for name in removed}, key=str.lower)
    return "%.2f MB (Chalice built %.2f MB; left out %s)" % (
        os.path.getsize(zip_path) / 1e6, built / 1e6, ", ".join(what) or "nothing")


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 4:
        sys.exit("usage: python -m scripts.deploy.package <chalice project> <out dir> <stage>")
    result = package(*sys.argv[1:])
    print("%s: %s" % (result[0], describe(*result)))
