"""Builds the local AWS side of the stack on the moto server: tables, the
Cognito user pool and app client. Used by `make dev` and by the test fixtures,
so both run the same setup."""
import json
import os
import urllib.request

from scripts.devstack.ports import free_port

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": False,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": False,
}


def start_moto(port=None, host="127.0.0.1"):
    """A moto server with Step Functions execution on; returns (server, url).
    MOTO_PORT must name the server's own port for executions to call back.
    The server runs in this process, so the emulator fixes in
    scripts/devstack/emulator_fixes.py apply to it. Its access log is off:
    it would print a line for every request the app makes."""
    import logging

    from moto.server import ThreadedMotoServer

    from scripts.devstack import emulator_fixes, emulator_noise, inbox

    emulator_fixes.apply()
    inbox.keep_message_parts()
    emulator_noise.install()  # one line per Step Functions error, not a dump of the machine
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = port or free_port(host)
    os.environ["MOTO_PORT"] = str(port)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    url = "http://%s:%d" % (host, port)
    enable_state_machine_execution(url)
    return server, url


def enable_state_machine_execution(url):
    request = urllib.request.Request(
        url + "/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=10).read()


def point_environment_at(url, region):
    """Environment the app and boto3 read to reach the emulator."""
    os.environ.update(FAKE_CREDENTIALS)
    os.environ["AWS_ENDPOINT_URL"] = url
    os.environ["AWS_DEFAULT_REGION"] = region
    os.environ["REGION"] = region


def create_tables():
    from chalicelib.platform.models import ALL_MODELS, SHARED_TABLE_MODELS

    for model in ALL_MODELS:
        if not model.exists():
            model.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    for model in SHARED_TABLE_MODELS:
        model.update_ttl(ignore_update_ttl_errors=False)


def create_email_identity(sender=None):
    """The app's sender (settings.email_sender(), or `sender`) as a verified
    SES identity, as the deploy makes it (infra/data.yaml): SES refuses to
    send from anything else, in the emulator as in AWS."""
    from email.utils import parseaddr

    from chalicelib.platform import settings

    address = parseaddr(sender or settings.email_sender())[1]
    ses = boto_client("sesv2")
    if address not in [identity["IdentityName"] for identity in ses.list_email_identities()["EmailIdentities"]]:
        ses.create_email_identity(EmailIdentity=address)
    return address


def boto_client(service, region=None):
    import boto3

    return boto3.client(service, region_name=region or os.environ.get("REGION"),
                        endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))


_USER_CLIENTS = {}


def _cognito():
    """The Cognito client for the user calls below, made once per region,
    endpoint and credentials (making one takes milliseconds; a test run signs
    up hundreds of users). Not handed out: callers of boto_client() get their
    own client."""
    import boto3

    key = (os.environ.get("REGION"), os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("AWS_ACCESS_KEY_ID"),
           id(boto3._get_default_session()))
    client = _USER_CLIENTS.get(key)
    if client is None:
        client = _USER_CLIENTS[key] = boto_client("cognito-idp")
    return client


OPERATORS_GROUP = "admins"


def create_user_pool(name="credits-saas-users"):
    """User pool signing in by email, and an app client that allows
    USER_PASSWORD_AUTH (the emulator does not check SRP passwords)."""
    cognito = boto_client("cognito-idp")
    pool = cognito.create_user_pool(
        PoolName=name,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Policies={"PasswordPolicy": PASSWORD_POLICY},
        Schema=[{"Name": "email", "AttributeDataType": "String", "Required": True, "Mutable": True}],
    )["UserPool"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="web",
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    cognito.create_group(UserPoolId=pool["Id"], GroupName=OPERATORS_GROUP,
                         Description="Operators (scripts/admin.py promote EMAIL)")
    return pool["Id"], client["ClientId"], pool["Arn"]


def configure_auth(pool_id, client_id):
    os.environ["USER_POOL_ID"] = pool_id
    os.environ["USER_POOL_CLIENT_ID"] = client_id
    os.environ["AUTH_MODE"] = "local"


def sign_up(email, password, client_id):
    """Sign up and confirm a user; returns the Cognito sub."""
    cognito = _cognito()
    response = cognito.sign_up(ClientId=client_id, Username=email, Password=password,
                               UserAttributes=[{"Name": "email", "Value": email}])
    cognito.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode="000000")
    return response["UserSub"]


def sign_in(email, password, client_id):
    """The user's ID token."""
    cognito = _cognito()
    result = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": email, "PASSWORD": password})
    return result["AuthenticationResult"]["IdToken"]


def add_to_group(pool_id, username, group=OPERATORS_GROUP):
    """Puts a user in a pool group (tests; operators use scripts/admin.py promote)."""
    _cognito().admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)
