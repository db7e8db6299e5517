"""The CloudFormation templates in infra/, read as data: what the rehearsal
on the emulator cannot show (Cognito, CloudFront, PITR, logging, policies)
is asserted here on the templates themselves; cfn-lint checks them all."""
import json
import os
import subprocess
import sys

import pytest

from policy_rules import policies_in_template, policy_problems
from scripts import statemachine
from scripts.devstack import emulator
from scripts.deploy import api, stacks
from scripts.deploy.rehearsal import evaluate_conditions, resolve
from scripts.deploy.stage import Stage, render_policy

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CFN_LINT = os.path.join(os.path.dirname(sys.executable), "cfn-lint")
TOPIC = "arn:aws:sns:eu-west-2:123456789012:credits-saas-dev-refill-alerts"
TABLE_OF_MODEL = {"Account": "AccountsTable", "LedgerEntry": "LedgerTable", "Product": "ProductsTable",
                  "MeteredCall": "LedgerTable", "ApiKeyRecord": "LedgerTable", "KeyRequest": "LedgerTable",
                  "EmailNotice": "LedgerTable", "Crossing": "LedgerTable", "TopUp": "LedgerTable",
                  "Membership": "LedgerTable", "MemberOf": "LedgerTable", "OrgCounts": "LedgerTable",
                  "OwnedOrgs": "LedgerTable", "Invitation": "LedgerTable", "ExportCount": "LedgerTable",
                  "InvitedAddress": "LedgerTable"}
DATA_PARAMETERS = {"Stage": "dev", "AccountsTableName": "a", "LedgerTableName": "l", "ProductsTableName": "p",
                   "FrontendOrigin": "https://d111.cloudfront.net", "PostConfirmationFunctionArn": "",
                   "GoogleClientId": "", "GoogleClientSecret": "", "AuthDomainPrefix": "",
                   "EmailIdentity": "no-reply@dev.example.com"}


@pytest.fixture(scope="module")
def data():
    return stacks.load_template("data")


@pytest.fixture(scope="module")
def backend():
    return stacks.backend_template(rendered_definition())


@pytest.fixture(scope="module")
def site():
    return stacks.load_template("site")


def rendered_definition():
    return statemachine.render(statemachine.substitutions(
        alert_topic_arn=TOPIC, accounts_table="credits-saas-dev-accounts", ledger_table="credits-saas-dev-ledger"))


PREFIX = "arn:aws:%s:eu-west-2:123456789012:"
SAMPLE_ARNS = {
    "AccountsTableArn": PREFIX % "dynamodb" + "table/credits-saas-dev-accounts",
    "LedgerTableArn": PREFIX % "dynamodb" + "table/credits-saas-dev-ledger",
    "ProductsTableArn": PREFIX % "dynamodb" + "table/credits-saas-dev-products",
    "RefillStateMachineArn": PREFIX % "states" + "stateMachine:credits-saas-dev-refill",
    "RefillExecutionsArn": PREFIX % "states" + "execution:credits-saas-dev-refill",
    "StripeSecretKeyParameterArn": PREFIX % "ssm" + "parameter/credits-saas/dev/stripe-secret-key",
    "StripeWebhookSecretParameterArn": PREFIX % "ssm" + "parameter/credits-saas/dev/stripe-webhook-secret",
    "ApiHandlerLogGroupArn": PREFIX % "logs" + "log-group:/aws/lambda/credits-saas-dev:*",
    "PostConfirmationLogGroupArn": PREFIX % "logs" + "log-group:/aws/lambda/credits-saas-dev-post_confirmation:*",
    "EmailSenderLogGroupArn": PREFIX % "logs" + "log-group:/aws/lambda/credits-saas-dev-send_emails:*",
    "LedgerStreamArn": PREFIX % "dynamodb" + "table/credits-saas-dev-ledger/stream/2026-12-04T12:00:00.000",
    "EmailIdentityArn": PREFIX % "ses" + "identity/no-reply@dev.example.com",
    "UserPoolArn": PREFIX % "cognito-idp" + "userpool/us-east-1_Example1",
}


def sample_policy():
    """infra/lambda-policy.json as the deploy renders it (run.Deployment.record)."""
    return render_policy(SAMPLE_ARNS)


def test_cfn_lint_passes_on_every_template_shipped_or_built(tmp_path, backend):
    built = tmp_path / "backend-built.json"
    built.write_text(json.dumps(backend))
    files = [stacks.template_path(name) for name in stacks.TEMPLATES] + [str(built)]
    result = subprocess.run([CFN_LINT, "--format", "parseable"] + files, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# Data ---------------------------------------------------------------------------

def test_tables_have_the_models_keys_and_indexes(data):
    from chalicelib.platform.models import ALL_MODELS

    for model in ALL_MODELS:
        table = data["Resources"][TABLE_OF_MODEL[model.__name__]]["Properties"]
        schema = model._get_schema()
        assert sorted(map(str, table["KeySchema"])) == sorted(map(str, (
            {"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in schema["key_schema"])))
        defined = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
        assert defined == {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
        indexes = {i["IndexName"]: i for i in table.get("LocalSecondaryIndexes", [])}
        assert set(indexes) == {i["index_name"] for i in schema["local_secondary_indexes"]}
        for index in schema["local_secondary_indexes"]:
            assert sorted(map(str, indexes[index["index_name"]]["KeySchema"])) == sorted(map(str, (
                {"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in index["key_schema"])))


def test_tables_expire_what_the_models_mark_with_a_ttl(data):
    """Idempotency records of metered calls must expire, or the ledger grows
    with every key a client sends."""
    from chalicelib.platform.models import ALL_MODELS, SHARED_TABLE_MODELS
    from pynamodb.attributes import TTLAttribute

    expected = {}
    for model in ALL_MODELS + SHARED_TABLE_MODELS:
        for name, attribute in model.get_attributes().items():
            if isinstance(attribute, TTLAttribute):
                expected[TABLE_OF_MODEL[model.__name__]] = attribute.attr_name
    assert expected.get("LedgerTable") == "expires_at"
    for table, attribute in expected.items():
        spec = data["Resources"][table]["Properties"].get("TimeToLiveSpecification")
        assert spec == {"AttributeName": attribute, "Enabled": True}, table


def test_tables_and_the_pool_survive_any_stack_change(data):
    for name in ("AccountsTable", "LedgerTable", "ProductsTable", "UserPool"):
        resource = data["Resources"][name]
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    for name in ("AccountsTable", "LedgerTable", "ProductsTable"):
        table = data["Resources"][name]["Properties"]
        assert table["BillingMode"] == "PAY_PER_REQUEST"
        assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert data["Resources"]["UserPool"]["Properties"]["DeletionProtection"] == "ACTIVE"


def test_the_pool_signs_in_by_verified_email_with_the_local_password_policy(data):
    pool = data["Resources"]["UserPool"]["Properties"]
    assert pool["UsernameAttributes"] == pool["AutoVerifiedAttributes"] == ["email"]
    policy = dict(pool["Policies"]["PasswordPolicy"])
    policy.pop("TemporaryPasswordValidityDays")
    assert policy == emulator.PASSWORD_POLICY


def test_the_web_client_is_public_with_srp_and_refresh(data):
    client = data["Resources"]["WebClient"]["Properties"]
    assert client["GenerateSecret"] is False
    assert client["ExplicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def resolved_client(data, **parameters):
    values = dict(DATA_PARAMETERS, **parameters)
    conditions = evaluate_conditions(data, values)
    literals = {"GoogleIdentityProvider": "Google", "UserPool": "pool"}
    return conditions, resolve(data["Resources"]["WebClient"]["Properties"], values, conditions, literals)


def test_google_sign_in_only_with_a_client_id_and_secret(data):
    conditions, client = resolved_client(data)
    assert not conditions["HasGoogle"] and client["SupportedIdentityProviders"] == ["COGNITO"]
    assert "CallbackURLs" not in client and client["AllowedOAuthFlowsUserPoolClient"] is False

    conditions, client = resolved_client(data, GoogleClientId="id.apps.googleusercontent.com",
                                         GoogleClientSecret="s", AuthDomainPrefix="credits-saas-dev-1")
    assert conditions["HasGoogle"] and client["SupportedIdentityProviders"] == ["COGNITO", "Google"]
    assert client["CallbackURLs"] == ["https://d111.cloudfront.net/", "https://d111.cloudfront.net/signin"]
    assert client["AllowedOAuthFlows"] == ["code"]
    for name in ("GoogleIdentityProvider", "AuthDomain"):
        assert data["Resources"][name]["Condition"] == "HasGoogle"
    assert data["Parameters"]["GoogleClientSecret"]["NoEcho"] is True


def test_the_post_confirmation_trigger_and_cognitos_permission(data):
    trigger = data["Resources"]["UserPool"]["Properties"]["LambdaConfig"]["Fn::If"]
    assert trigger[0] == "HasTrigger"
    assert trigger[1] == {"PostConfirmation": {"Ref": "PostConfirmationFunctionArn"}}
    permission = data["Resources"]["PostConfirmationPermission"]
    assert permission["Condition"] == "HasTrigger"
    assert permission["Properties"]["Principal"] == "cognito-idp.amazonaws.com"
    assert permission["Properties"]["SourceArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}


# Backend --------------------------------------------------------------------------

def test_the_state_machine_is_the_rendered_definition_with_its_role_and_logs(backend):
    machine = backend["Resources"]["RefillStateMachine"]["Properties"]
    assert machine["DefinitionString"] == rendered_definition()
    assert statemachine.placeholders(machine["DefinitionString"]) == set()
    assert machine["RoleArn"] == {"Fn::GetAtt": ["RefillRole", "Arn"]}
    destination = machine["LoggingConfiguration"]["Destinations"][0]["CloudWatchLogsLogGroup"]
    assert destination["LogGroupArn"] == {"Fn::GetAtt": ["RefillLogGroup", "Arn"]}


def test_the_refill_role_may_do_exactly_what_the_definition_does(backend):
    statements = backend["Resources"]["RefillRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    granted = {statement["Sid"]: statement["Action"] for statement in statements}
    assert granted["GrantFreeCredits"] == "dynamodb:UpdateItem"
    assert granted["RecordRefill"] == "dynamodb:PutItem"
    assert granted["HandOver"] == "states:StartExecution"
    assert granted["Alert"] == "sns:Publish"
    resources = json.dumps(rendered_definition())
    assert "arn:aws:states:::dynamodb:updateItem" in resources and "arn:aws:states:::sns:publish" in resources


# Site -----------------------------------------------------------------------------

def test_the_site_is_private_behind_cloudfront_with_https_and_spa_fallback(site):
    resources = site["Resources"]
    block = resources["SiteBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(block.values())
    oac = resources["SiteOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]
    assert (oac["OriginAccessControlOriginType"], oac["SigningBehavior"]) == ("s3", "always")
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    assert config["Origins"][0]["OriginAccessControlId"] == {"Fn::GetAtt": ["SiteOriginAccessControl", "Id"]}
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    fallbacks = {(e["ErrorCode"], e["ResponseCode"], e["ResponsePagePath"]) for e in config["CustomErrorResponses"]}
    assert fallbacks == {(403, 200, "/index.html"), (404, 200, "/index.html")}
    statement = resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "AWS:SourceArn" in statement["Condition"]["StringEquals"]


# Policies and secrets ---------------------------------------------------------------

def test_no_policy_shipped_or_generated_has_a_wildcard(data, backend, site):
    for template in (data, backend, site):
        for where, document in policies_in_template(template):
            assert policy_problems(document) == [], where
    assert policy_problems(sample_policy()) == []


def test_the_wildcard_rule_catches_wildcards():
    def problems(action, resource):
        return policy_problems({"Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]})
    assert problems("dynamodb:*", "arn:aws:dynamodb:r:1:table/t")
    assert problems("dynamodb:GetItem", "*")
    assert problems("dynamodb:GetItem", "arn:aws:dynamodb:r:1:table/*")
    assert problems("logs:PutLogEvents", "*")
    assert problems("logs:PutLogEvents", "arn:aws:logs:r:123456789012:log-group:*")
    assert problems("s3:GetObject", "arn:aws:s3:::*")
    assert not problems("states:StopExecution", SAMPLE_ARNS["RefillExecutionsArn"] + ":*")
    assert not problems("logs:PutLogEvents", SAMPLE_ARNS["ApiHandlerLogGroupArn"])


def test_only_actions_without_resource_level_permissions_may_have_resource_star():
    def problems(actions):
        return policy_problems({"Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]})
    assert not problems(["xray:PutTraceSegments", "xray:PutTelemetryRecords"])
    assert not problems(["logs:CreateLogDelivery", "logs:DescribeLogGroups"])
    # Any other action on "*" still fails, alone or beside an exempt one.
    assert problems(["xray:GetTraceSummaries"])
    assert problems(["xray:*"])
    assert problems(["xray:PutTraceSegments", "dynamodb:GetItem"])
    assert problems(["cloudwatch:PutMetricData"])  # metrics are EMF log lines: no API call to allow
    assert problems(["ssm:GetParameter"])


def test_the_functions_policy_names_its_tables_index_state_machine_and_two_parameters():
    statements = {s["Sid"]: s for s in sample_policy()["Statement"]}
    assert statements["Ledger"]["Resource"][1] == SAMPLE_ARNS["LedgerTableArn"] + "/index/by_time"
    # Usage month items and idempotency records of metered calls are updated in place.
    assert "dynamodb:UpdateItem" in statements["Ledger"]["Action"]
    assert statements["StartRefills"]["Action"] == ["states:StartExecution"]
    assert statements["StopRefills"]["Resource"] == [SAMPLE_ARNS["RefillExecutionsArn"] + ":*"]
    assert statements["StripeSecrets"]["Action"] == ["ssm:GetParameter"]
    assert len(statements["StripeSecrets"]["Resource"]) == 2
    assert not any(a.startswith("kms:") for s in statements.values() for a in s["Action"])
    # Active tracing (Chalice's `xray`): the two write actions X-Ray authorizes only on "*".
    assert statements["Tracing"]["Action"] == ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    assert statements["Tracing"]["Resource"] == "*"
    assert [sid for sid, statement in statements.items() if statement["Resource"] == "*"] == ["Tracing"]


def test_the_functions_may_scan_only_the_accounts_table_and_delete_only_in_the_ledger():
    """The operators' search and summary read the accounts table a slice at a
    time; lifting a suspension deletes its detail item beside the ledger.
    Group membership is managed by scripts/admin.py, never by the functions;
    their only Cognito action is deleting a user who deletes their account."""
    statements = {s["Sid"]: s for s in sample_policy()["Statement"]}
    scans = [sid for sid, s in statements.items() if "dynamodb:Scan" in s["Action"]]
    deletes = [sid for sid, s in statements.items() if "dynamodb:DeleteItem" in s["Action"]]
    assert (scans, deletes) == (["Accounts", "Products"], ["Ledger"])
    assert [action for s in statements.values() for action in s["Action"] if action.startswith("cognito-idp:")] \
        == ["cognito-idp:AdminDeleteUser"]


def test_the_ledger_streams_its_keys_to_the_email_sender(data):
    from chalicelib.platform.models import LEDGER_STREAM_VIEW, LedgerEntry

    ledger = data["Resources"]["LedgerTable"]["Properties"]
    assert ledger["StreamSpecification"] == {"StreamViewType": LEDGER_STREAM_VIEW} == {"StreamViewType": "KEYS_ONLY"}
    assert LedgerEntry.Meta.stream_view_type == LEDGER_STREAM_VIEW  # the emulator's table has it too
    assert data["Outputs"]["LedgerStreamArn"]["Value"] == {"Fn::GetAtt": ["LedgerTable", "StreamArn"]}


def test_the_ses_identity_is_the_stages_parameter_and_outlives_the_stack(data, backend):
    identity = data["Resources"]["EmailSenderIdentity"]
    assert identity["Type"] == "AWS::SES::EmailIdentity"
    assert identity["DeletionPolicy"] == identity["UpdateReplacePolicy"] == "Retain"
    assert identity["Properties"] == {"EmailIdentity": {"Ref": "EmailIdentity"}}
    arn = resolve(data["Outputs"]["EmailIdentityArn"]["Value"], DATA_PARAMETERS, {})
    assert arn == "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/no-reply@dev.example.com"
    group = backend["Resources"]["EmailSenderLogGroup"]["Properties"]
    assert group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/credits-saas-${Stage}-send_emails"}


def test_the_functions_may_send_only_from_the_identity_and_read_only_the_ledgers_stream():
    statements = {s["Sid"]: s for s in sample_policy()["Statement"]}
    assert statements["SendEmail"] == {"Sid": "SendEmail", "Effect": "Allow", "Action": ["ses:SendEmail"],
                                       "Resource": [SAMPLE_ARNS["EmailIdentityArn"]]}
    assert statements["LedgerStream"]["Resource"] == [SAMPLE_ARNS["LedgerStreamArn"]]
    assert statements["DeleteUsers"] == {"Sid": "DeleteUsers", "Effect": "Allow",
                                         "Action": ["cognito-idp:AdminDeleteUser"],
                                         "Resource": [SAMPLE_ARNS["UserPoolArn"]]}
    assert sorted(statements["LedgerStream"]["Action"]) == [
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]
    assert [sid for sid, s in statements.items() if any(a.startswith("ses:") for a in s["Action"])] == ["SendEmail"]
    assert SAMPLE_ARNS["EmailSenderLogGroupArn"] in statements["Logs"]["Resource"]


def test_the_stages_name_a_sender_on_their_identity():
    from scripts.deploy.checks import email_problems

    for name in ("dev", "prod"):
        stage = Stage.load(name)
        assert email_problems(stage) == []
        assert "@" in stage.email_identity


def test_the_operators_group_is_in_the_user_pool(data):
    group = data["Resources"]["OperatorsGroup"]
    assert group["Type"] == "AWS::Cognito::UserPoolGroup"
    assert group["Properties"]["GroupName"] == "admins"
    assert group["Properties"]["UserPoolId"] == {"Ref": "UserPool"}


def test_no_secret_in_a_template_or_the_chalice_config():
    for path in [stacks.template_path(name) for name in stacks.TEMPLATES] + [
            os.path.join(ROOT, "infra", "lambda-policy.json"), os.path.join(ROOT, "backend", ".chalice", "config.json")]:
        with open(path) as handle:
            text = handle.read()
        assert "sk_test_" not in text and "sk_live_" not in text and "whsec_" not in text, path


# Gateway Responses ------------------------------------------------------------------

def test_the_functions_and_the_api_stage_are_traced():
    with open(os.path.join(ROOT, "backend", ".chalice", "config.json")) as handle:
        config = json.load(handle)
    for name in ("dev", "prod"):
        stage = Stage(name, config, {})
        assert stage.xray_enabled
    assert api.tracing_operations(True) == [{"op": "replace", "path": "/tracingEnabled", "value": "true"}]
    assert api.tracing_operations(False)[0]["value"] == "false"


def test_gateway_responses_use_the_contracts_codes_and_the_cors_origin():
    expected = {"MISSING_AUTHENTICATION_TOKEN": ("404", "not_found"), "UNAUTHORIZED": ("401", "unauthorized"),
                "ACCESS_DENIED": ("403", "forbidden"), "THROTTLED": ("429", "rate_limited"),
                "REQUEST_TOO_LARGE": ("413", "payload_too_large"),
                "UNSUPPORTED_MEDIA_TYPE": ("415", "unsupported_media_type"),
                "INTEGRATION_FAILURE": ("502", "upstream_error"), "INTEGRATION_TIMEOUT": ("504", "timeout"),
                "DEFAULT_4XX": (None, "bad_request"), "DEFAULT_5XX": (None, "internal_error")}
    for response_type, (status, code) in expected.items():
        response = api.gateway_response(response_type, "https://app.example.com")
        assert response.get("statusCode") == status
        body = response["responseTemplates"]["application/json"]
        if "$context" not in body:
            assert json.loads(body)["error"]["code"] == code
        assert '"code": "%s"' % code in body
        assert response["responseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == \
            "'https://app.example.com'"
