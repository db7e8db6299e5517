"""Schema fuzzing: Schemathesis generates requests for every operation of
`GET /openapi.json` and sends them to `chalice local` (the `api_url`
fixture), with real ID tokens and an API key, with every check it has on
(`--checks all`: status codes, content types, headers and bodies conform,
no 5xx, schema-valid requests are accepted, schema-invalid ones refused,
required headers and authentication enforced, undocumented methods refused).
A failure prints the request as a curl command to reproduce it.

Three callers, each over the routes that are theirs: a customer (every
route but `/admin/*`), a member of a team organisation (the account routes,
with `X-Org-Id` naming the team) and an operator (`/admin/*`).

Generated cases carry the security headers as Schemathesis makes them:
positive cases get the caller's real ID token / API key in place of the
generated value, negative cases keep the generated (wrong) one, so both the
signed-in paths and the 401s are fuzzed. `POST /generate-key` replaces the
key; the new one is used from then on. Two values a schema cannot make are
filled in for positive cases: an opaque `cursor` (`x-opaque`) can only be a
`next_cursor` the API answered, so positive cases leave it out; and a
positive `POST /stripe/webhook` is signed with the endpoint's secret, as
Stripe signs (negative ones keep the generated signature and are refused).
"""
import json

import pytest
import schemathesis
from schemathesis import GenerationMode

from chalicelib.platform import settings
from chalicelib.web import openapi

EXAMPLES_PER_OPERATION = 50
# The team's pass covers what differs for a team: the account routes acting for it.
TEAM_EXAMPLES_PER_OPERATION = 10
WEBHOOK = "/stripe/webhook"

# The document is built in-process and fuzzed against the running server;
# tests/test_openapi.py checks that the server serves this same document.
# (Schemathesis' lazy `from_fixture` loader does not run under pytest 9.2.)
document = openapi.build(settings.route_costs())
sent = {"cases": 0, "routes": set(), "checks": 0, "failed": 0}


def after_validate(context, case, response, results):
    """Counts the checks run on each answer, for the figures printed at the end."""
    sent["checks"] += len(results)
    sent["failed"] += sum(1 for result in results if result.failure is not None)


schema = schemathesis.openapi.from_dict(document)
schema.hook(after_validate)
schema.config.update(request_timeout=30)
schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, deterministic=True,
                                modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
team_schema = schemathesis.openapi.from_dict(document)
team_schema.hook(after_validate)
team_schema = team_schema.include(path=list(openapi.ACCOUNT_ROUTES))
team_schema.config.update(request_timeout=30)
team_schema.config.generation.update(max_examples=TEAM_EXAMPLES_PER_OPERATION, deterministic=True,
                                     modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
OPAQUE = {(path, method.upper()): [p["name"] for p in entry.get("parameters", []) if p.get("x-opaque")]
          for path, methods in document["paths"].items() for method, entry in methods.items()}


def signed_up(aws_stack, kind):
    import uuid

    from conftest import PASSWORD, User, emulator
    email = "fuzz-%s-%s@example.com" % (kind, uuid.uuid4().hex[:8])
    user_id = emulator.sign_up(email, PASSWORD, aws_stack["client_id"])
    return User(email, user_id, emulator.sign_in(email, PASSWORD, aws_stack["client_id"]))


@pytest.fixture(scope="module")
def served(api_url, request):
    """Counts the requests the local server answers (Schemathesis' own
    checks send some besides the generated cases) and prints the figures."""
    from chalice.local import ChaliceRequestHandler

    count = []
    original = ChaliceRequestHandler.log_request

    def log_request(handler, *args, **kwargs):
        count.append(handler.path)
        return original(handler, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ChaliceRequestHandler, "log_request", log_request)
        yield count
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("\nAPI fuzzing: %d routes, %d generated cases, %d checks (%d failed), "
                                "%d requests answered" % (len(sent["routes"]), sent["cases"], sent["checks"],
                                                          sent["failed"], len(count)))


@pytest.fixture(scope="module")
def callers(api_url, aws_stack, stripe_products, webhook_secret, served):
    """{"customer", "team", "operator"}: each caller's credentials. The
    customer's key has a million credits; the team caller is an admin of a
    team organisation, invited by its owner and joined from the emailed
    link, acting for it with `X-Org-Id`; the operator is in `admins`."""
    import re
    import urllib.parse

    import requests
    from chalicelib.credits.balances import Credits
    from conftest import make_operator
    from email_support import inbox_of
    from scripts.devstack import inbox

    def post(path, user, body=None):
        answer = requests.post(api_url + path, headers=user.headers, json=body, timeout=30)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    inbox.keep_message_parts()
    customer, owner, member = (signed_up(aws_stack, kind) for kind in ("customer", "owner", "member"))
    key = post("/generate-key", customer)["key"]
    Credits().add_purchased(customer.id, 1_000_000, "checkout:cs_fuzz", "purchase", "Fuzzing credits")
    requests.get(api_url + "/user", headers=member.headers, timeout=30)
    team = post("/orgs", owner, {"name": "Fuzz team"})["org"]["id"]
    post("/orgs/%s/invitations" % team, owner, {"email": member.email, "role": "admin"})
    link = re.search(r"\S+/invite\?token=\S+", [m for m in inbox_of(member) if "invited you" in m["subject"]][0][
        "text"]).group(0)
    post("/invitations/accept", member, {"token": urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["token"][0]})
    return {
        "customer": {"Authorization": "Bearer " + customer.token, "x-api-key": key},
        "team": {"Authorization": "Bearer " + member.token, "X-Org-Id": team, "x-api-key": key},
        "operator": {"Authorization": "Bearer " + make_operator(aws_stack).token, "x-api-key": key},
    }


def as_caller(case, credentials):
    """Positive cases: the caller's real token, key and organisation in place
    of the generated ones; no opaque parameter (only the API makes those)."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return False
    if case.headers is None:
        case.headers = {}
    for name, value in credentials.items():
        present = [h for h in case.headers if h.lower() == name.lower()]
        for header in present:
            case.headers[header] = value
        if not present and name == "X-Org-Id" and case.path in openapi.ACCOUNT_ROUTES:
            case.headers[name] = value
    for name in OPAQUE.get((case.path, case.method.upper()), ()):
        (case.query or {}).pop(name, None)
    return True


def send(case, api_url, positive, secret):
    """The case as Schemathesis sends it; a positive webhook delivery signed as Stripe signs."""
    if (case.method, case.path) != ("POST", WEBHOOK) or not positive:
        return case.call(base_url=api_url)
    import requests
    from webhook_support import signature

    payload = json.dumps(case.body)
    headers = dict(case.headers or {}, **{"Content-Type": "application/json",
                                          "Stripe-Signature": signature(payload, secret)})
    return requests.post(api_url + WEBHOOK, data=payload.encode(), headers=headers, timeout=30)


def fuzz(case, credentials, api_url, secret):
    positive = as_caller(case, credentials)
    response = send(case, api_url, positive, secret)
    sent["cases"] += 1
    sent["routes"].add(case.path)
    case.validate_response(response)
    if (case.method, case.path) == ("POST", WEBHOOK) and not positive:
        assert response.status_code in (400, 413, 415), case.as_curl_command(base_url=api_url)
    if (case.method, case.path) == ("POST", "/generate-key") and response.status_code == 200:
        credentials["x-api-key"] = response.json()["key"]


@schema.exclude(path_regex="^/admin/").parametrize()
def test_as_a_customer_every_answer_conforms(case, callers, api_url, webhook_secret):
    fuzz(case, callers["customer"], api_url, webhook_secret)


@team_schema.parametrize()
def test_as_a_team_member_every_answer_conforms(case, callers, api_url, webhook_secret):
    fuzz(case, callers["team"], api_url, webhook_secret)


@schema.include(path_regex="^/admin/").parametrize()
def test_as_an_operator_every_answer_conforms(case, callers, api_url, webhook_secret):
    fuzz(case, callers["operator"], api_url, webhook_secret)
