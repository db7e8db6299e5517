"""Schema fuzzing: Schemathesis generates requests for every operation of
`GET /openapi.json` and sends them to `chalice local` (the `api_url`
fixture), with a real ID token and API key. Every answer must conform to the
document (status code, content type, headers, body) and none may be a 5xx.
A failure prints the request as a curl command to reproduce it.

Generated cases carry the security headers as Schemathesis makes them:
positive cases get the real ID token / API key in place of the generated
value, negative cases keep the generated (wrong) one, so both the signed-in
paths and the 401s are fuzzed. `POST /generate-key` replaces the key; the
new one is used from then on.

`POST /stripe/webhook` is fuzzed like every route, but nothing here can sign
a body as Stripe does, so every fuzzed delivery must be refused with a 400
(bad or missing signature) - asserted below. The signed path is covered by
tests/test_webhooks.py and tests/test_webhook_replay.py.
"""
import pytest
import schemathesis
from schemathesis import GenerationMode

from chalicelib.platform import settings
from chalicelib.web import openapi

EXAMPLES_PER_OPERATION = 50
WEBHOOK = "/stripe/webhook"

# The document is built in-process and fuzzed against the running server;
# tests/test_openapi.py checks that the server serves this same document.
# (Schemathesis' lazy `from_fixture` loader does not run under pytest 9.2.)
schema = schemathesis.openapi.from_dict(openapi.build(settings.route_costs()))
schema.config.update(request_timeout=30)
schema.config.generation.update(max_examples=EXAMPLES_PER_OPERATION, deterministic=True,
                                modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
# Schema-valid requests that business rules still refuse: 400 (an unknown
# plan, an unsigned webhook, a cursor this API never issued), 402 (credits
# spent), 404 (an account id no account has), 409 (an Idempotency-Key reused
# on the other metered route). The
# status must still be one the document lists for the operation.
schema.config.checks.positive_data_acceptance = type(schema.config.checks.positive_data_acceptance)(
    expected_statuses=["2xx", "400", "401", "402", "404", "409", "429"])
sent = {"cases": 0, "routes": set()}


@pytest.fixture(scope="module")
def fuzz_user(aws_stack):
    """One user for the whole run, an operator so that `/admin/*` routes are
    fuzzed past their group check (tests/test_admin_routes.py covers the 403)."""
    from conftest import make_operator
    return make_operator(aws_stack)


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
            reporter.write_line("\nAPI fuzzing: %d routes, %d generated cases, %d requests answered" % (
                len(sent["routes"]), sent["cases"], len(count)))


@pytest.fixture(scope="module")
def credentials(api_url, fuzz_user, stripe_products, webhook_secret, served):
    import requests
    from chalicelib.credits.balances import Credits

    key = requests.post(api_url + "/generate-key", headers=fuzz_user.headers, timeout=30).json()["key"]
    Credits().add_purchased(fuzz_user.id, 1_000_000, "checkout:cs_fuzz", "purchase", "Fuzzing credits")
    return {"Authorization": "Bearer " + fuzz_user.token, "x-api-key": key}


def with_real_credentials(case, credentials):
    """Positive cases: the real token or key in place of the generated one."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    for name, value in credentials.items():
        for present in [h for h in (case.headers or {}) if h.lower() == name.lower()]:
            case.headers[present] = value


@schema.parametrize()
def test_every_answer_conforms_and_none_is_a_5xx(case, credentials, api_url):
    with_real_credentials(case, credentials)
    response = case.call(base_url=api_url)
    sent["cases"] += 1
    sent["routes"].add(case.path)
    case.validate_response(response)
    assert response.status_code < 500, case.as_curl_command(base_url=api_url)
    if (case.method, case.path) == ("POST", WEBHOOK):
        assert response.status_code in (400, 413, 415), case.as_curl_command(base_url=api_url)
    if (case.method, case.path) == ("POST", "/generate-key") and response.status_code == 200:
        credentials["x-api-key"] = response.json()["key"]
