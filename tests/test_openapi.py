"""The OpenAPI document matches the app's routes, is served publicly, and
the README's API table and retry example agree with it."""
import json
import os
import re
import subprocess

from jsonschema.validators import Draft202012Validator

from chalicelib.platform import settings
from chalicelib.web import openapi
from conftest import ROOT, call
from scripts import api_table

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def documented(document):
    return {(method.upper(), path) for path, item in document["paths"].items()
            for method in item if method in HTTP_METHODS}


def app_routes(app):
    return {(method, path) for path, methods in app.routes.items() for method in methods}


def test_every_chalice_route_is_documented_and_nothing_else(app):
    assert documented(openapi.build()) == app_routes(app)


def test_the_comparison_notices_a_missing_or_extra_route(app):
    document = openapi.build()
    del document["paths"]["/ledger"]
    assert documented(document) != app_routes(app)
    document = openapi.build()
    document["paths"]["/extra"] = {"get": {}}
    assert documented(document) != app_routes(app)


def test_it_is_served_publicly_with_a_cache_header(client):
    response = client.http.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == openapi.CACHE_CONTROL
    assert json.loads(response.body) == json.loads(json.dumps(openapi.build()))


def test_it_is_a_valid_openapi_3_1_document():
    from openapi_spec_validator import OpenAPIV31SpecValidator

    document = openapi.build()
    assert document["openapi"] == "3.1.0"
    OpenAPIV31SpecValidator(document).validate()
    for scheme in ("idToken", "apiKey", "stripeSignature"):
        assert scheme in document["components"]["securitySchemes"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["responses"], (method, path)
            for status, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5][0-9][0-9]", status)
    for name, schema in document["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)


def test_every_error_code_the_code_uses_is_in_the_catalogue():
    used = set()
    for folder, _, files in os.walk(os.path.join(ROOT, "backend", "chalicelib")):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(folder, name)) as handle:
                    used |= set(re.findall(r'code="([a-z_]+)"', handle.read()))
                    handle.seek(0)
                    used |= set(re.findall(r'^    code = "([a-z_]+)"', handle.read(), re.M))
    used |= {"invalid_days", "invalid_limit"}  # query_params.whole_number: invalid_<name>
    assert used <= set(openapi.ERROR_CODES), used - set(openapi.ERROR_CODES)


def test_error_bodies_match_the_documented_error_schema(client, user):
    error_schema = openapi.build()["components"]["schemas"]["Error"]
    for method, path, headers in [("GET", "/user", {}), ("GET", "/nowhere", {}), ("PUT", "/plans", {}),
                                  ("GET", "/usage?days=0", user.headers)]:
        response = client.http.request(method, path, headers=headers)
        Draft202012Validator(error_schema).validate(json.loads(response.body))


def test_the_readme_table_is_the_one_generated_from_the_document():
    with open(api_table.README) as handle:
        in_readme = api_table.readme_table(handle.read())
    assert in_readme == api_table.generated(), "run: python scripts/api_table.py --write"


def test_the_route_costs_the_table_uses_are_the_apps(app):
    assert api_table.load_costs() == settings.route_costs()


def readme_block(language, containing):
    with open(api_table.README) as handle:
        blocks = re.findall(r"```%s\n(.*?)```" % language, handle.read(), re.S)
    return next(block for block in blocks if containing in block)


def test_the_readme_python_retry_example_charges_once(api_url, client, user, api_key):
    namespace = {}
    exec(readme_block("python", "def metered_call"), namespace)  # noqa: S102 - our own README
    response = namespace["metered_call"](api_url, api_key)
    assert response.status_code == 200 and response.json() == {"credits": 49}
    assert response.headers["X-Credits-Remaining"] == "49"


def test_the_readme_curl_example_retries_with_one_idempotency_key(api_url, client, user, api_key):
    block = readme_block("sh", "Idempotency-Key")
    command = " ".join(line.rstrip("\\") for line in block.splitlines() if line.startswith(("KEY=", "curl", " ")))
    assert command.count("curl ") == 1 and "--retry" in command  # curl repeats the same request: one key
    assert '-H "Idempotency-Key: $KEY"' in command
    replay = block + '\necho\ncurl -sS -i -X POST "$API/test" -H "x-api-key: $API_KEY" -H "Idempotency-Key: $KEY"\n'
    result = subprocess.run(["bash", "-c", replay], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, API=api_url, API_KEY=api_key))
    assert result.returncode == 0, result.stderr
    first, replayed = result.stdout.split("\n", 1)
    assert json.loads(first) == {"credits": 49}
    head, body = replayed.split("\r\n\r\n", 1) if "\r\n\r\n" in replayed else replayed.split("\n\n", 1)
    assert "idempotent-replayed: true" in head.lower(), head
    assert json.loads(body) == {"credits": 49}


def test_the_readme_curl_example_creates_a_rate_limited_key(api_url, client, user):
    block = readme_block("sh", "/keys")
    result = subprocess.run(["bash", "-c", block], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, API=api_url, ID_TOKEN=user.token))
    assert result.returncode == 0, result.stderr
    created = json.loads(result.stdout)
    assert (created["name"], created["rate_limit"]) == ("staging", {"requests": 5, "per": "second"})
    assert call(client, "POST", "/test", {"x-api-key": created["key"]}) == (200, {"credits": 49})


def test_the_plans_the_document_names_are_the_ones_on_sale():
    """`plan` and `pack` are enums: the plans of products.json that have prices."""
    from chalicelib.web.openapi_parts import PAID_PLANS
    with open(os.path.join(ROOT, "products.json")) as handle:
        on_sale = [plan["name"] for plan in json.load(handle)["plans"] if plan.get("prices")]
    assert PAID_PLANS == on_sale


def test_names_are_checked_with_the_pattern_the_document_states():
    """The API refuses exactly the key and team names the document's pattern refuses."""
    from chalicelib.keys.account_keys import parse_name
    from chalicelib.platform.errors import BadRequest
    from chalicelib.platform.names import NAME_PATTERN
    document = openapi.build(settings.route_costs())
    key_name = document["components"]["schemas"]["NewApiKeyRequest"]["properties"]["name"]
    team_name = document["paths"]["/orgs"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "properties"]["name"]
    assert key_name["pattern"] == team_name["pattern"] == NAME_PATTERN
    for name in ("ci", " staging ", "é", "Zürich – prod", "a" * 60, "日本"):
        assert re.fullmatch(NAME_PATTERN, name) and parse_name(name) == name.strip()
    for name in ("", "   ", "a\x00", "tab\there", "\u200bx", "x\u202e", "\ufeffx", "\ue000", "a" * 61, 5):
        assert not (isinstance(name, str) and len(name) <= 60 and re.fullmatch(NAME_PATTERN, name))
        try:
            parse_name(name)
            raise AssertionError("accepted %r" % (name,))
        except BadRequest as refused:
            assert refused.code == "invalid_name"
