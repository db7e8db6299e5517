"""The Lambda package (`chalice package`, slimmed as `make deploy` slims it):
without the packages the Lambda runtime ships and without anything only the
local stack or the tests use, at most 5 MB, importable with only the
runtime's boto3/botocore beside it; its SAM template passes cfn-lint and its
policies have no wildcard."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from policy_rules import policies_in_template, policy_problems
from scripts.deploy.package import (
    RUNTIME_PROVIDED, full_packages, holds_runtime_packages, is_app_bytecode, is_app_code, slim_zip)
from test_templates import CFN_LINT, sample_policy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LIMIT_BYTES = 5 * 1000 * 1000


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    root = tmp_path_factory.mktemp("package")
    project = root / "backend"
    shutil.copytree(os.path.join(ROOT, "backend"), project, ignore=shutil.ignore_patterns(
        "deployed", "deployments", "policy-*.json", "__pycache__"))
    (project / ".chalice" / "policy-dev.json").write_text(json.dumps(sample_policy()))
    env = dict(os.environ, AWS_DEFAULT_REGION="eu-west-2")
    result = subprocess.run([sys.executable, "-m", "scripts.deploy.package", str(project), str(root / "out"), "dev"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    print(result.stdout.strip().splitlines()[-1])
    assert full_packages(str(project)) == []  # Chalice's own copy, which `chalice deploy` reuses, is slim too
    return root / "out"


def names_in(zip_path):
    with zipfile.ZipFile(str(zip_path)) as archive:
        return archive.namelist()


def test_the_package_leaves_out_what_the_runtime_ships_and_fits_in_5_mb(package):
    zip_path = str(package / "deployment.zip")
    size = os.path.getsize(zip_path)
    tops = {name.split("/")[0] for name in names_in(zip_path)}
    print("Lambda package: %.2f MB (limit %.0f MB): %s" % (
        size / 1e6, LIMIT_BYTES / 1e6, ", ".join(sorted(top for top in tops if "-" not in top))))
    assert not holds_runtime_packages(zip_path)
    assert not any(top.split("-")[0] in RUNTIME_PROVIDED for top in tops)  # nor their metadata
    assert {"app.py", "chalicelib", "pynamodb", "stripe", "aws_lambda_powertools"} <= tops
    assert size <= LIMIT_BYTES


def test_the_package_holds_nothing_only_the_local_stack_or_the_tests_use(package):
    names = names_in(package / "deployment.zip")
    tops = {name.split("/")[0] for name in names}
    assert not tops & {"scripts", "tests", "frontend", "infra", "_bootstrap.py", "conftest.py"}
    modules = [name.rsplit("/", 1)[-1] for name in names]
    assert not [name for name in names if "local_gateway" in name]
    assert not [name for name in modules if name == "conftest.py" or name.startswith("test_")]
    assert not [name for name in names if "/tests/" in name or name.startswith("chalicelib/test")]
    bytecode = [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    assert bytecode and all(is_app_bytecode(name) for name in bytecode)  # the app's own only


def test_the_app_s_own_code_ships_compiled_for_the_runtime(package):
    """/var/task is read-only: without bytecode in the zip, each cold start
    compiles app.py and chalicelib again."""
    names = set(names_in(package / "deployment.zip"))
    sources = sorted(name for name in names if is_app_code(name))
    tag = sys.implementation.cache_tag
    expected = {"%s/__pycache__/%s.%s.pyc" % (os.path.dirname(name) or ".", os.path.basename(name)[:-3], tag)
                for name in sources}
    assert {name.replace("./", "", 1) for name in expected} <= names
    with zipfile.ZipFile(str(package / "deployment.zip")) as archive:
        header = archive.read("chalicelib/platform/__pycache__/settings.%s.pyc" % tag)[:16]
    assert int.from_bytes(header[4:8], "little") == 0b01  # hash-based, unchecked: the zip keeps no exact times
    assert "chalicelib/web/http.py" in names  # the rest of chalicelib is there


def import_as_lambda_does(package, tmp_path, change_task=lambda task: None):
    """Imports the app from the unzipped package with only the runtime's
    boto3/botocore beside it; returns the finished process."""
    task = tmp_path / "task"
    with zipfile.ZipFile(str(package / "deployment.zip")) as archive:
        archive.extractall(task)
    change_task(task)
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    import boto3
    site_packages = os.path.dirname(os.path.dirname(boto3.__file__))
    for name in RUNTIME_PROVIDED + ("dateutil", "six.py", "urllib3"):
        os.symlink(os.path.join(site_packages, name), runtime / name)
    program = (
        "import app, botocore\n"
        "from chalicelib.platform import models, secrets, settings\n"
        "from aws_lambda_powertools.utilities import parameters\n"
        "assert app.app.app_name == 'credits-saas'\n"
        "assert botocore.__file__.startswith(%r), botocore.__file__\n"
        "assert models.Account.Meta.table_name\n"
        "print('imported')\n" % str(runtime))
    # As Lambda runs it: the package, then the runtime's libraries, on
    # PYTHONPATH; no site-packages (-S, -s).
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "eu-west-2", "AUTH_MODE": "apigateway",
           "PYTHONPATH": os.pathsep.join([str(task), str(runtime)])}
    return subprocess.run([sys.executable, "-s", "-S", "-c", program], env=env, capture_output=True,
                          text=True, cwd=str(tmp_path))


def test_the_app_imports_with_only_the_runtimes_boto3_beside_the_package(package, tmp_path):
    result = import_as_lambda_does(package, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported"


def test_a_cold_start_loads_the_shipped_bytecode_instead_of_compiling(package, tmp_path):
    """A source the shipped bytecode does not match is not even read: the
    app imports from its .pyc (unchecked-hash)."""
    def break_a_source(task):
        with open(task / "chalicelib" / "platform" / "settings.py", "a") as handle:
            handle.write("\nraise RuntimeError('compiled from source')\n")
    result = import_as_lambda_does(package, tmp_path, break_a_source)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported"


def test_the_sam_template_passes_cfn_lint_and_its_policies_have_no_wildcard(package):
    template = json.loads((package / "sam.json").read_text())
    found = policies_in_template(template)
    assert found  # Chalice puts the stage's policy file on the functions' roles
    for where, document in found:
        assert policy_problems(document) == [], where
    result = subprocess.run([CFN_LINT, "--format", "parseable", str(package / "sam.json")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_functions_and_the_api_stage_are_traced_without_the_xray_sdk_in_the_package(package):
    """Chalice's `xray` setting: Lambda and API Gateway record the traces; the
    X-Ray SDK (Powertools Tracer) stays out, it would take the package past 5 MB."""
    resources = json.loads((package / "sam.json").read_text())["Resources"]
    functions = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Serverless::Function"]
    assert len(functions) == 3 and {f["Tracing"] for f in functions} == {"Active"}
    assert resources["RestAPI"]["Properties"]["TracingEnabled"] is True
    with zipfile.ZipFile(str(package / "deployment.zip")) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    assert "aws_xray_sdk" not in tops and "wrapt" not in tops


def test_the_email_sender_reads_the_ledgers_stream(package):
    """`send_emails` is its own function on the ledger table's stream (a stage
    never deployed packages the placeholder ARN settings.ledger_stream_arn()
    names; the deploy records the real one first)."""
    resources = json.loads((package / "sam.json").read_text())["Resources"]
    sender = resources["SendEmails"]["Properties"]
    [event] = sender["Events"].values()
    assert event["Type"] == "DynamoDB"
    assert ":table/credits-saas-dev-ledger/stream/" in event["Properties"]["Stream"]
    assert (event["Properties"]["StartingPosition"], event["Properties"]["BatchSize"]) == ("TRIM_HORIZON", 10)


def test_slimming_a_zip_removes_what_the_function_never_needs_and_keeps_the_rest(tmp_path):
    kept = ["app.py", "chalice/app.py", "chalicelib/__init__.py", "chalicelib/web.py", "chalicelib/web/routes.py",
            "stripe/_test_helpers.py", "stripe/params/test_helpers/__init__.py", "pynamodb/models.py",
            "pynamodb-6.1.0.dist-info/METADATA", "aws_lambda_powertools/event_handler/openapi/swagger_ui/html.py"]
    removed = ["botocore/client.py", "botocore-1.44.8.dist-info/RECORD", "boto3/session.py", "s3transfer/manager.py",
               "jmespath/parser.py", "jmespath-1.0.1.dist-info/METADATA",
               "chalicelib/__pycache__/db.cpython-311.pyc", "stripe/_stripe_client.pyc",
               "certifi/tests/__init__.py", "certifi/tests/test_certify.py",
               "aws_lambda_powertools/event_handler/openapi/swagger_ui/swagger-ui-bundle.min.js",
               "aws_lambda_powertools/event_handler/openapi/swagger_ui/swagger-ui.min.css"]
    zip_path = tmp_path / "deployment.zip"
    with zipfile.ZipFile(str(zip_path), "w", zipfile.ZIP_DEFLATED) as archive:
        for name in kept + removed:
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16 if name == "app.py" else 0o644 << 16
            archive.writestr(info, "# " + name)
    assert sorted(slim_zip(str(zip_path))) == sorted(removed)
    with zipfile.ZipFile(str(zip_path)) as archive:
        assert archive.namelist() == kept
        assert archive.read("chalicelib/web.py") == b"# chalicelib/web.py"
        assert archive.getinfo("app.py").external_attr == 0o755 << 16
    assert slim_zip(str(zip_path)) == []  # already slim: left as it is
