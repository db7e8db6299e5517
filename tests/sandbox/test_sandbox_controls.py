"""The /_sandbox/ controls and the command line (controls.py,
scripts/stripe_sandbox.py)."""
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
import stripe

from sandbox.sandbox_support import API_KEY, make_price, make_session, sandbox_post

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "stripe_sandbox.py"


def test_health_reset_and_missing_control_targets(sandbox, client):
    assert requests.get(f"{sandbox.url}/_sandbox/health", timeout=5).json() == {"ok": True}
    client.v1.customers.create(params={})
    assert sandbox_post(sandbox, "/_sandbox/reset") == (200, {"ok": True})
    assert client.v1.customers.list().data == []
    status, body = sandbox_post(sandbox, "/_sandbox/subscriptions/sub_nope/renew")
    assert status == 404 and body["error"]["code"] == "resource_missing"
    status, body = sandbox_post(sandbox, "/_sandbox/subscriptions/sub_nope/pause")
    assert status == 404 and "Unrecognized sandbox URL" in body["error"]["message"]
    assert requests.get(f"{sandbox.url}/checkout/cs_test_nope", timeout=5).status_code == 404


def test_cli_prints_url_and_serves():
    process = subprocess.Popen([sys.executable, str(SCRIPT), "--port", "0",
                                "--webhook-secret", "whsec_cli"],
                               stdout=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline().strip()
        assert first.startswith("Stripe sandbox listening on http://127.0.0.1:")
        url = first.rsplit(" ", 1)[1]
        assert process.stdout.readline().strip() == "Webhook signing secret: whsec_cli"
        assert requests.get(f"{url}/_sandbox/health", timeout=5).json() == {"ok": True}
        client = stripe.StripeClient(API_KEY, base_addresses={"api": url},
                                     max_network_retries=0)
        assert client.v1.customers.create(params={"email": "cli@example.com"}).id
    finally:
        process.terminate()
        process.wait(timeout=5)
    assert process.returncode == 0


def test_success_url_placeholder_and_query_survive_round_trip(sandbox, client):
    session = make_session(client, make_price(client, interval=None), "payment")
    response = requests.post(session.url, data={"action": "pay"}, allow_redirects=False,
                             timeout=5)
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query == {"session": [session.id]}
