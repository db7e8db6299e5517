"""The deploy rehearsal: `python -m scripts.deploy deploy --stage dev` end to
end against the AWS emulator (moto server, AWS_ENDPOINT_URL) and the Stripe
sandbox, then the emulated account is read back. What moto cannot do is
printed by the deploy ("Rehearsal: ...") and covered by tests/test_templates.py."""
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse

import boto3
import pytest

from emulator_swagger import SWAGGER_IMPORT, accept_chalice_swagger
from policy_rules import policy_problems
from scripts import statemachine
from scripts.deploy.package import full_packages
from scripts.devstack.emulator_guard import EmulatorPatchOutdated
from scripts.devstack.ports import free_port

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAGE = "dev"
REGION = "eu-west-2"  # the dev stage's REGION in backend/.chalice/config.json
STRIPE_KEY = "sk_test_" + "rehearsal0123456789abcdef"
TABLES = ("credits-saas-dev-accounts", "credits-saas-dev-ledger", "credits-saas-dev-products")
FUNCTIONS = ("credits-saas-dev", "credits-saas-dev-post_confirmation", "credits-saas-dev-send_emails")
ALERT_EMAIL = "ops@example.com"


@pytest.fixture(scope="module")
def emulator():
    """A moto server of its own, Step Functions execution off: with it on,
    moto's Step Functions API does not see state machines that its
    CloudFormation created."""
    from moto.core.config import default_user_config
    from moto.server import ThreadedMotoServer

    accept_chalice_swagger()
    stepfunctions = default_user_config["stepfunctions"]  # process-wide, set by other fixtures
    executing = stepfunctions.get("execute_state_machine", False)
    stepfunctions["execute_state_machine"] = False
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield "http://127.0.0.1:%d" % port
    server.stop()
    stepfunctions["execute_state_machine"] = executing


@pytest.fixture(scope="module")
def sandbox():
    from scripts.devstack.stripe import StripeSandbox

    stripe = StripeSandbox(host="127.0.0.1", port=0, webhook_url=None, webhook_secret=None).start()
    yield stripe
    stripe.stop()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A copy of backend/ (the deploy writes config.json and the policy) and
    a tiny built site."""
    root = tmp_path_factory.mktemp("rehearsal")
    project = root / "backend"
    shutil.copytree(os.path.join(ROOT, "backend"), project, ignore=shutil.ignore_patterns(
        "deployed", "deployments", "policy-*.json", "__pycache__"))
    dist = root / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><div id=app></div>")
    (dist / "assets" / "index-abc123.js").write_text("console.log('site')")
    (root / "no-frontend").mkdir()
    return {"project": str(project), "dist": str(dist), "no_frontend": str(root / "no-frontend")}


def deploy_command(emulator, sandbox, workspace, *arguments, expect=0):
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "STRIPE_WEBHOOK_SECRET", "AWS_SESSION_TOKEN", "REGION",
                 "GOOGLE_CLIENT_ID", "GOOGLE_CLIENT_SECRET"):
        env.pop(name, None)
    env.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_ENDPOINT_URL": emulator, "AWS_DEFAULT_REGION": REGION,
                "STRIPE_SECRET_KEY": STRIPE_KEY, "STRIPE_API_BASE": sandbox.url, "ALERT_EMAIL": ALERT_EMAIL})
    command = [sys.executable, "-m", "scripts.deploy"] + list(arguments) + [
        "--stage", STAGE, "--project-dir", workspace["project"]]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    print(result.stdout)
    assert result.returncode == expect, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


@pytest.fixture(scope="module")
def deployed(emulator, sandbox, workspace):
    # First without a frontend (an empty frontend dir), then with a built site.
    first = deploy_command(emulator, sandbox, workspace, "deploy", "--frontend-dir", workspace["no_frontend"])
    second = deploy_command(emulator, sandbox, workspace, "deploy", "--frontend-dist", workspace["dist"])
    return {"first": first, "second": second}


@pytest.fixture(scope="module")
def aws(emulator):
    def client(service):
        return boto3.client(service, region_name=REGION, endpoint_url=emulator,
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    return client


def stage_environment(workspace):
    with open(os.path.join(workspace["project"], ".chalice", "config.json")) as handle:
        return json.load(handle)["stages"][STAGE]["environment_variables"]


def test_it_ends_with_the_urls_and_names_what_it_could_not_rehearse(deployed):
    for output in deployed.values():
        assert "API:              https://" in output
        assert "/api/stripe/webhook" in output
    assert "frontend/package.json not found: the site is not built" in deployed["first"]
    assert "Frontend:         https://rehearsal-dev.cloudfront.invalid" in deployed["second"]
    gaps = deployed["first"].split("Rehearsal on the emulator")[1]
    for named in ("Cognito", "CloudFront", "PointInTimeRecoverySpecification", "LoggingConfiguration",
                  "CloudWatch alarms", "SNS subscriptions", "SES"):
        assert named in gaps


def test_tables_with_point_in_time_recovery_and_the_ledger_index(deployed, aws):
    dynamodb = aws("dynamodb")
    for table in TABLES:
        description = dynamodb.describe_table(TableName=table)["Table"]
        assert description["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        backups = dynamodb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ledger = dynamodb.describe_table(TableName=TABLES[1])["Table"]
    assert [index["IndexName"] for index in ledger["LocalSecondaryIndexes"]] == ["by_time"]


def test_the_state_machine_runs_the_tested_definition_with_its_substitutions(deployed, aws, workspace):
    env = stage_environment(workspace)
    machine = aws("stepfunctions").describe_state_machine(stateMachineArn=env["REFILL_STATE_MACHINE_ARN"])
    topics = [topic["TopicArn"] for topic in aws("sns").list_topics()["Topics"]]
    topic = [arn for arn in topics if arn.endswith(":credits-saas-dev-refill-alerts")]
    assert len(topic) == 1
    expected = statemachine.render(statemachine.substitutions(
        alert_topic_arn=topic[0], accounts_table=TABLES[0], ledger_table=TABLES[1]))
    assert machine["definition"] == expected
    assert machine["name"] == "credits-saas-dev-refill"


def test_the_pool_triggers_post_confirmation_which_cognito_may_invoke(deployed, aws, workspace):
    env = stage_environment(workspace)
    pool = aws("cognito-idp").describe_user_pool(UserPoolId=env["USER_POOL_ID"])["UserPool"]
    function = aws("lambda").get_function(FunctionName=FUNCTIONS[1])["Configuration"]
    assert pool["LambdaConfig"]["PostConfirmation"] == function["FunctionArn"]
    policy = json.loads(aws("lambda").get_policy(FunctionName=FUNCTIONS[1])["Policy"])
    grants = [s for s in policy["Statement"] if s["Principal"] == {"Service": "cognito-idp.amazonaws.com"}]
    assert grants and grants[0]["Condition"]["ArnLike"]["AWS:SourceArn"] == pool["Arn"]
    client = aws("cognito-idp").describe_user_pool_client(
        UserPoolId=env["USER_POOL_ID"], ClientId=env["USER_POOL_CLIENT_ID"])["UserPoolClient"]
    assert "ClientSecret" not in client
    assert set(client["ExplicitAuthFlows"]) == {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}


def test_functions_get_the_recorded_environment_and_no_secret(deployed, aws, workspace):
    env = stage_environment(workspace)
    for name in FUNCTIONS:
        variables = aws("lambda").get_function_configuration(FunctionName=name)["Environment"]["Variables"]
        for key in ("USER_POOL_ARN", "REFILL_STATE_MACHINE_ARN", "FRONTEND_ORIGIN", "ACCOUNTS_TABLE", "METRICS_NAMESPACE",
                    "STRIPE_SECRET_KEY_PARAMETER", "STRIPE_WEBHOOK_SECRET_PARAMETER", "EMAIL_SENDER",
                    "LEDGER_STREAM_ARN"):
            assert variables[key] == env[key]
        assert "STRIPE_SECRET_KEY" not in variables and "STRIPE_WEBHOOK_SECRET" not in variables
        assert "sk_test_" not in json.dumps(variables) and "whsec_" not in json.dumps(variables)
    with open(os.path.join(workspace["project"], ".chalice", "config.json")) as handle:
        recorded = handle.read()
    assert STRIPE_KEY not in recorded and "whsec_" not in recorded


def test_the_roles_policies_have_no_wildcards(deployed, aws):
    iam = aws("iam")
    checked = 0
    for role in iam.list_roles()["Roles"]:
        for name in iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]:
            document = iam.get_role_policy(RoleName=role["RoleName"], PolicyName=name)["PolicyDocument"]
            if isinstance(document, str):  # moto keeps CloudFormation's documents as Python reprs
                document = ast.literal_eval(urllib.parse.unquote(document))
            assert policy_problems(document) == [], (role["RoleName"], name)
            checked += 1
    assert checked >= 3  # the refill role and one per function


def test_secrets_are_secure_strings_and_one_webhook_endpoint_exists(deployed, aws, sandbox):
    ssm = aws("ssm")
    key = ssm.get_parameter(Name="/credits-saas/dev/stripe-secret-key", WithDecryption=True)["Parameter"]
    secret = ssm.get_parameter(Name="/credits-saas/dev/stripe-webhook-secret", WithDecryption=True)["Parameter"]
    assert key["Type"] == secret["Type"] == "SecureString"
    assert key["Value"] == STRIPE_KEY and secret["Value"].startswith("whsec_")
    from chalicelib.billing import stripe_client
    from scripts.deploy.webhook_endpoints import existing_endpoints

    stripe = stripe_client.build(api_key=STRIPE_KEY, api_base=sandbox.url)
    urls = {endpoint.url for endpoint in stripe.v1.webhook_endpoints.list().auto_paging_iter()}
    assert len(urls) == 1
    assert len(existing_endpoints(stripe, urls.pop())) == 1  # the second deploy kept it
    for output in deployed.values():
        assert STRIPE_KEY not in output and secret["Value"] not in output


def test_the_alarms_the_dashboard_and_the_alert_subscription(deployed, aws):
    from scripts.deploy.stacks import load_template

    topic = [t["TopicArn"] for t in aws("sns").list_topics()["Topics"]
             if t["TopicArn"].endswith(":credits-saas-dev-refill-alerts")][0]
    template = load_template("monitoring")["Resources"]
    expected = {r["Properties"]["AlarmName"]["Fn::Sub"].replace("${Stage}", STAGE)
                for r in template.values() if r["Type"] == "AWS::CloudWatch::Alarm"}
    alarms = aws("cloudwatch").describe_alarms(AlarmNamePrefix="credits-saas-dev-")["MetricAlarms"]
    assert {alarm["AlarmName"] for alarm in alarms} == expected and len(expected) >= 20
    for alarm in alarms:
        assert alarm["AlarmActions"] == [topic], alarm["AlarmName"]
    by_name = {alarm["AlarmName"]: alarm for alarm in alarms}
    assert by_name["credits-saas-dev-api-5xx-rate"]["Dimensions"] == [
        {"Name": "ApiName", "Value": "credits-saas"}, {"Name": "Stage", "Value": "api"}]
    assert by_name["credits-saas-dev-api-duration"]["Threshold"] == 48000
    signups = by_name["credits-saas-dev-refill-too-few-started"]["Metrics"][0]["MetricStat"]["Metric"]
    assert signups["Namespace"] == "CreditsSaaS/dev"
    body = json.loads(aws("cloudwatch").get_dashboard(DashboardName="credits-saas-dev")["DashboardBody"])
    titles = {widget["properties"].get("title") for widget in body["widgets"]}
    assert {"API 4xx / 5xx", "Refill executions", "Credits spent and granted", "Webhooks"} <= titles
    assert "${" not in json.dumps(body)
    subscriptions = aws("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("email", ALERT_EMAIL)]


def test_the_email_sender_reads_only_new_outbox_items_of_the_ledgers_stream(deployed, aws, workspace):
    from chalicelib.notices.outbox import STREAM_FILTER

    env = stage_environment(workspace)
    ledger = aws("dynamodb").describe_table(TableName=TABLES[1])["Table"]
    assert ledger["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert env["LEDGER_STREAM_ARN"] == ledger["LatestStreamArn"]
    assert env["EMAIL_SENDER"] == "Credits <no-reply@dev.example.com>"
    sender = aws("lambda").get_function(FunctionName=FUNCTIONS[2])["Configuration"]["FunctionArn"]
    [mapping] = aws("lambda").list_event_source_mappings(FunctionName=sender)["EventSourceMappings"]
    assert mapping["EventSourceArn"] == ledger["LatestStreamArn"]
    assert [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]] == [STREAM_FILTER]
    assert mapping["BisectBatchOnFunctionError"] is True and mapping["MaximumRecordAgeInSeconds"] == 3600
    identities = aws("sesv2").list_email_identities()["EmailIdentities"]
    assert [identity["IdentityName"] for identity in identities] == ["no-reply@dev.example.com"]
    for output in deployed.values():
        assert "SES identity no-reply@dev.example.com: NOT verified yet" in output


def test_products_are_synced_to_the_stage_table(deployed, aws):
    items = aws("dynamodb").scan(TableName=TABLES[2])["Items"]
    assert {item["name"]["S"] for item in items} >= {"Free", "Basic", "Power"}


def test_api_gateway_errors_in_the_app_shape_and_stage_throttling(deployed, aws, workspace):
    apigateway = aws("apigateway")
    api = [api for api in apigateway.get_rest_apis()["items"] if api["name"] == "credits-saas"]
    assert len(api) == 1
    origin = stage_environment(workspace)["FRONTEND_ORIGIN"]
    responses = {item["responseType"]: item for item in
                 apigateway.get_gateway_responses(restApiId=api[0]["id"])["items"]}
    missing = responses["MISSING_AUTHENTICATION_TOKEN"]
    assert missing["statusCode"] == "404"
    assert '"code": "not_found"' in missing["responseTemplates"]["application/json"]
    assert missing["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == "'%s'" % origin
    assert responses["THROTTLED"]["statusCode"] == "429"
    stage = apigateway.get_stage(restApiId=api[0]["id"], stageName="api")
    assert stage["methodSettings"]["*/*"]["throttlingBurstLimit"] == 20


def test_the_functions_get_the_slim_package(deployed, aws, workspace):
    """`chalice deploy` reuses the package the deploy built and slimmed
    (scripts/deploy/package.py) instead of building its own."""
    assert "left out botocore" in deployed["first"]
    for output in deployed.values():
        assert "Lambda package: " in output and "WARNING" not in output
    for name in FUNCTIONS:
        assert aws("lambda").get_function(FunctionName=name)["Configuration"]["CodeSize"] <= 5 * 1000 * 1000
    assert full_packages(workspace["project"]) == []


def test_xray_traces_the_functions_and_the_api_stage(deployed, aws):
    for name in FUNCTIONS:
        configuration = aws("lambda").get_function_configuration(FunctionName=name)
        assert configuration["TracingConfig"] == {"Mode": "Active"}, name
    apigateway = aws("apigateway")
    api = [api for api in apigateway.get_rest_apis()["items"] if api["name"] == "credits-saas"][0]
    assert apigateway.get_stage(restApiId=api["id"], stageName="api")["tracingEnabled"] is True
    assert all("X-Ray on" in output for output in deployed.values())


def test_the_site_and_its_config(deployed, aws):
    s3 = aws("s3")
    bucket = [b["Name"] for b in s3.list_buckets()["Buckets"] if "site" in b["Name"]][0]
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {"index.html", "assets/index-abc123.js", "config.json"}
    config = json.loads(s3.get_object(Bucket=bucket, Key="config.json")["Body"].read())
    assert set(config) == {"apiUrl", "region", "userPoolId", "userPoolClientId", "signInProviders", "stage"}
    assert config["apiUrl"].endswith("/api") and config["signInProviders"] == []
    assert s3.head_object(Bucket=bucket, Key="assets/index-abc123.js")["CacheControl"].endswith("immutable")


def test_deploy_app_redeploys_the_code_only(deployed, emulator, sandbox, workspace):
    output = deploy_command(emulator, sandbox, workspace, "deploy-app")
    assert "Updating lambda function: credits-saas-dev" in output
    assert "Lambda package: " in output and "WARNING" not in output
    assert "13 Gateway Responses" in output and "stack" not in output


def test_destroy_keeps_the_data_then_delete_data_needs_the_stage_name(deployed, emulator, sandbox, workspace, aws):
    env = stage_environment(workspace)
    output = deploy_command(emulator, sandbox, workspace, "destroy")
    assert "Kept:" in output
    names = {f["FunctionName"] for f in aws("lambda").list_functions()["Functions"]}
    assert not names & set(FUNCTIONS)
    assert set(TABLES) <= set(aws("dynamodb").list_tables()["TableNames"])
    pool = aws("cognito-idp").describe_user_pool(UserPoolId=env["USER_POOL_ID"])["UserPool"]
    assert "PostConfirmation" not in pool.get("LambdaConfig", {})

    refused = deploy_command(emulator, sandbox, workspace, "destroy", "--delete-data", "--confirm", "prod",
                             expect=2)
    assert "nothing was deleted" in refused
    assert set(TABLES) <= set(aws("dynamodb").list_tables()["TableNames"])

    deploy_command(emulator, sandbox, workspace, "destroy", "--delete-data", "--confirm", STAGE)
    assert not set(TABLES) & set(aws("dynamodb").list_tables()["TableNames"])
    assert aws("cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []
    assert aws("sesv2").list_email_identities()["EmailIdentities"] == []
    assert aws("ssm").describe_parameters()["Parameters"] == []


def test_the_swagger_import_patch_stops_on_a_moto_it_was_not_written_for(monkeypatch):
    import moto

    accept_chalice_swagger()  # applied, and again: nothing to say
    monkeypatch.setattr(moto, "__version__", "5.3.0")
    expected = ("emulator patch apigateway-swagger-import was written for moto 5.2.x; moto is 5.3.0 — check "
                "whether %s is fixed, then update or drop the patch" % SWAGGER_IMPORT.bug)
    with pytest.raises(EmulatorPatchOutdated, match="^" + re.escape(expected)):
        accept_chalice_swagger()
