"""The issue's walk on the stack `make dev` runs (scripts/dev.py, free ports,
its own state): a Basic customer sets an alert at 990 credits, spends 11 and
finds one email in the local inbox; saves a card, turns on automatic top-up
(threshold 950, Basic pack, limit 2) and, after crossing it with 20
concurrent calls, has 1,000 more purchased credits and one `top_up` entry;
with the card set to need authentication the next top-up pauses, the inbox
has the link, and paying it on the bank's page grants once. Emails and
top-ups go through the same stream poller and Stripe sandbox as `make dev`."""
import concurrent.futures
import time
import uuid

import pytest

from scripts.devstack.demo import Api, local_session, sandbox_post, sign_in, sign_up


@pytest.fixture(scope="module")
def stack(shared_dev_stack):
    return shared_dev_stack


def test_alert_card_top_up_and_a_paused_top_up_paid_on_the_banks_page(stack):
    config = stack.config
    api = Api(config["api_url"])
    email = "top-up-%s@example.com" % uuid.uuid4().hex[:10]
    sign_up(config, email)
    token = sign_in(config, email)
    stripe = local_session()
    stripe.headers["Authorization"] = "Bearer sk_test_local"

    def user():
        return api.call("GET", "/user", token=token)[1]["user"]

    def inbox(words):
        messages = local_session().get(config["inbox_url"] + "/messages", timeout=10).json()["messages"]
        return [m for m in messages if m["to"] == email and words in m["subject"]]

    def top_up_entries():
        entries = api.call("GET", "/ledger", token=token)[1]["entries"]
        return [entry for entry in entries if entry["kind"] == "top_up"]

    def spend(times, path="/test"):
        for _ in range(times):
            api.call("POST", path, api_key=key)

    def complete(session_url):
        assert sandbox_post(config, "/_sandbox/checkout/%s/complete" % session_url.rsplit("/", 1)[1]).ok

    # A Basic customer with a key.
    complete(api.call("POST", "/checkout", token=token, body={"plan": "Basic", "subscribe": True})[1]["url"])
    stack.wait_for("the Basic plan", lambda: user()["plan"] == "Basic" and user()["plan_credits"] == 1000)
    key = api.call("POST", "/keys", token=token, body={"name": "walk"}, expect=201)[1]["key"]

    # An alert at 990; 11 credits spent: one email.
    assert api.call("PUT", "/alerts", token=token, body={"low_balance": 990})[1]["low_balance"] == 990
    spend(11)
    stack.wait_for("the low-balance email", lambda: inbox("running low"))

    # A card, automatic top-up on, 20 concurrent calls across 950.
    session_url = api.call("POST", "/payment-method", token=token)[1]["url"]
    complete(session_url)
    stack.wait_for("the saved card", lambda: api.call("GET", "/auto-top-up", token=token)[1]["payment_method"])
    setting = {"enabled": True, "threshold": 950, "pack": "Basic", "monthly_limit": 2}
    assert api.call("PUT", "/auto-top-up", token=token, body=setting)[1]["status"] == "active"
    spend(38)  # 951
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        list(pool.map(lambda _: spend(1), range(20)))  # 931: one of them crossed 950
    stack.wait_for("the top-up's credits", lambda: user()["purchased_credits"] == 1000)
    time.sleep(2)
    assert len(top_up_entries()) == 1 and user()["credits"] == 1931
    assert len(inbox("running low")) == 1

    # The bank wants the customer: paused, the link in the inbox, paid on the bank's page.
    customer = stripe.get(config["stripe_api_base"] + "/v1/checkout/sessions/" + session_url.rsplit("/", 1)[1],
                          timeout=10).json()["customer"]
    assert sandbox_post(config, "/_sandbox/customers/%s/card" % customer,
                        data={"behavior": "require_authentication"}).ok
    spend(197, "/test/heavy")  # 1931 - 985 = 946: crosses 950
    paused = stack.wait_for("the paused top-up", lambda: (lambda view: view if view["status"] == "paused_action_required"
                                                           else None)(api.call("GET", "/auto-top-up", token=token)[1]))
    [message] = stack.wait_for("the email with the link", lambda: inbox("Confirm your automatic top-up"))
    assert paused["action_url"] in message["text"]
    page = local_session().post(paused["action_url"], data={"action": "complete"}, timeout=10,
                                allow_redirects=False)
    assert page.status_code < 500
    stack.wait_for("the second top-up", lambda: len(top_up_entries()) == 2)
    time.sleep(2)
    assert len(top_up_entries()) == 2 and user()["purchased_credits"] == 1946
    view = api.call("GET", "/auto-top-up", token=token)[1]
    assert (view["status"], view["this_month"]) == ("limit_reached", 2)
