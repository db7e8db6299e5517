"""The Lambda package (`chalice package`, built as `make deploy` builds it):
without the packages the Lambda runtime ships, at most 5 MB, importable with
only the runtime's boto3/botocore beside it; its SAM template passes cfn-lint
and its policies have no wildcard."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from policy_rules import policies_in_template, policy_problems
from scripts.deploy.package import RUNTIME_PROVIDED, holds_runtime_packages, strip_runtime_packages
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
    return root / "out"


def test_the_package_leaves_out_what_the_runtime_ships_and_fits_in_5_mb(package):
    zip_path = str(package / "deployment.zip")
    size = os.path.getsize(zip_path)
    print("Lambda package: %.2f MB (limit %.0f MB)" % (size / 1e6, LIMIT_BYTES / 1e6))
    assert not holds_runtime_packages(zip_path)
    with zipfile.ZipFile(zip_path) as archive:
        tops = {name.split("/")[0] for name in archive.namelist()}
    assert {"app.py", "chalicelib", "pynamodb", "stripe", "aws_lambda_powertools"} <= tops
    assert size <= LIMIT_BYTES


def test_the_app_imports_with_only_the_runtimes_boto3_beside_the_package(package, tmp_path):
    task = tmp_path / "task"
    with zipfile.ZipFile(str(package / "deployment.zip")) as archive:
        archive.extractall(task)
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    import boto3
    site_packages = os.path.dirname(os.path.dirname(boto3.__file__))
    for name in RUNTIME_PROVIDED + ("dateutil", "six.py", "urllib3"):
        os.symlink(os.path.join(site_packages, name), runtime / name)
    program = (
        "import sys; sys.path[:0] = [%r, %r]\n"
        "import app, botocore\n"
        "from chalicelib.platform import models, secrets, settings\n"
        "from aws_lambda_powertools.utilities import parameters\n"
        "assert app.app.app_name == 'credits-saas'\n"
        "assert botocore.__file__.startswith(%r), botocore.__file__\n"
        "assert models.Account.Meta.table_name\n"
        "print('imported')\n" % (str(task), str(runtime), str(runtime)))
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "eu-west-2", "AUTH_MODE": "apigateway"}
    result = subprocess.run([sys.executable, "-I", "-S", "-c", program], env=env, capture_output=True,
                            text=True, cwd=str(tmp_path))
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


def test_strip_runtime_packages_removes_them_and_their_metadata(tmp_path):
    for entry in ("botocore", "botocore-1.44.8.dist-info", "boto3", "s3transfer", "jmespath",
                  "jmespath-1.0.1.dist-info", "stripe", "pynamodb"):
        (tmp_path / entry).mkdir()
    removed = strip_runtime_packages(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == ["pynamodb", "stripe"]
    assert "botocore-1.44.8.dist-info" in removed
