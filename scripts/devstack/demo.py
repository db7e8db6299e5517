"""The walk `make demo` prints: the main job of the product, step by step,
against the stack `make dev` is running (it reads `.local/dev.json`).

A new user signs up and confirms in the Cognito emulator, signs in, gets an
API key, spends the Free credits until the API answers 402, buys a Basic
pack on the Stripe sandbox's hosted checkout page, subscribes to Power,
sees a renewal reset the plan credits, and goes back to Free. Every step is
printed; any unexpected answer stops the walk with a message and exit code 1.
Also used by the end-to-end tests and by `scripts/demo.py token`.
"""
import json
import os
import time
import uuid

from scripts import ROOT

DEFAULT_PASSWORD = "demo-pass-2024"
HTTP_TIMEOUT = 10
WEBHOOK_TIMEOUT = 30
SANDBOX_KEY = "sk_test_local_sandbox"


class DemoError(Exception):
    """An answer the walk did not expect; the message says which and why."""


# Configuration ------------------------------------------------------------------

def config_path(explicit=None):
    if explicit:
        return os.path.abspath(explicit)
    directory = os.environ.get("DEV_STATE_DIR") or os.path.join(ROOT, ".local")
    return os.path.join(os.path.abspath(directory), "dev.json")


def load_config(path=None):
    path = config_path(path)
    try:
        with open(path) as handle:
            config = json.load(handle)
    except FileNotFoundError:
        raise DemoError("%s does not exist: start the stack first with `make dev` (in another "
                        "terminal) and wait for \"Local stack ready\"." % path)
    except ValueError as error:
        raise DemoError("%s is not valid JSON (%s); restart `make dev`." % (path, error))
    pid = config.get("pid")
    if isinstance(pid, int):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            raise DemoError("%s is left over from a `make dev` (pid %d) that is no longer running: "
                            "start `make dev` again (`make reset` removes the file)." % (path, pid))
        except PermissionError:
            pass
    return config


# Clients --------------------------------------------------------------------------

def cognito_client(config):
    import boto3

    return boto3.client(
        "cognito-idp", region_name=config["region"], endpoint_url=config["aws_endpoint_url"],
        aws_access_key_id="testing", aws_secret_access_key="testing", aws_session_token="testing")


def sign_up(config, email, password=DEFAULT_PASSWORD):
    """Sign up and confirm (the emulator accepts any code); True if new."""
    cognito = cognito_client(config)
    client_id = config["user_pool_client_id"]
    try:
        cognito.sign_up(ClientId=client_id, Username=email, Password=password,
                        UserAttributes=[{"Name": "email", "Value": email}])
    except cognito.exceptions.UsernameExistsException:
        return False
    cognito.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode="123456")
    return True


def sign_in(config, email, password=DEFAULT_PASSWORD):
    """The user's Cognito ID token (USER_PASSWORD_AUTH)."""
    cognito = cognito_client(config)
    result = cognito.initiate_auth(
        ClientId=config["user_pool_client_id"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password})
    return result["AuthenticationResult"]["IdToken"]


def local_session():
    """A requests session that goes straight to the local stack (no proxy)."""
    import requests

    session = requests.Session()
    session.trust_env = False
    return session


class Api:
    """JSON over HTTP; any status but the expected one is a `DemoError`."""

    def __init__(self, base_url):
        import requests

        self.base_url = base_url.rstrip("/")
        self.session = local_session()
        self._requests = requests

    def call(self, method, path, token=None, api_key=None, body=None, expect=200, org=None):
        """`org`: the organisation to act for (`X-Org-Id`); else the caller's own."""
        headers = {}
        if token:
            headers["Authorization"] = "Bearer " + token
        if api_key:
            headers["x-api-key"] = api_key
        if org:
            headers["X-Org-Id"] = org
        try:
            response = self.session.request(
                method, self.base_url + path, headers=headers, timeout=HTTP_TIMEOUT,
                json=body if body is not None else None)
        except self._requests.RequestException as error:
            raise DemoError("%s %s: no answer from %s (%s). Is `make dev` still running?"
                            % (method, path, self.base_url, error))
        try:
            payload = response.json()
        except ValueError:
            payload = response.text[:300]
        expected = expect if isinstance(expect, (tuple, list)) else (expect,)
        if response.status_code not in expected:
            raise DemoError("%s %s answered %d, expected %s: %s" % (
                method, path, response.status_code, " or ".join(map(str, expected)),
                json.dumps(payload) if not isinstance(payload, str) else payload))
        return response.status_code, payload


def sandbox_post(config, path, data=None, allow_redirects=True):
    import requests

    url = config["stripe_api_base"].rstrip("/") + path
    try:
        response = local_session().post(url, data=data, timeout=HTTP_TIMEOUT,
                                        allow_redirects=allow_redirects)
    except requests.RequestException as error:
        raise DemoError("POST %s: the Stripe sandbox did not answer (%s)." % (url, error))
    return response


def webhook_report(config, limit=5):
    """The last events of the Stripe sandbox and how their delivery went."""
    import requests

    base = config["stripe_api_base"].rstrip("/")
    session = local_session()
    try:
        events = session.get(base + "/v1/events", params={"limit": limit}, timeout=HTTP_TIMEOUT,
                             headers={"Authorization": "Bearer " + SANDBOX_KEY}).json()["data"]
        lines = []
        for event in events:
            attempts = session.get(base + "/_sandbox/events/%s/deliveries" % event["id"],
                                    timeout=HTTP_TIMEOUT).json().get("data", [])
            outcome = ", ".join(str(a.get("status") or a.get("error") or "?") for a in attempts) \
                or "not delivered yet"
            lines.append("    %s %s: %s" % (event["id"], event["type"], outcome))
        return "Latest Stripe sandbox events and their webhook deliveries:\n" + "\n".join(lines)
    except (requests.RequestException, ValueError, KeyError, TypeError) as error:
        return "(could not read the sandbox's events: %s)" % error


# The walk ----------------------------------------------------------------------------

def _money(price):
    amount, currency = price.get("amount"), (price.get("currency") or "").upper()
    return "%d.%02d %s" % (amount // 100, amount % 100, currency) if isinstance(amount, int) else "?"


def _balances(user):
    return "plan %s, %d credits (%d plan + %d purchased)" % (
        user["plan"], user["credits"], user["plan_credits"], user["purchased_credits"])


def run_demo(config, out=print, purchases=True, webhook_timeout=WEBHOOK_TIMEOUT):
    """Walk the main job against a running local stack. Raises `DemoError`
    on any unexpected answer; returns what it saw (for tests).

    `purchases=False` stops after the metered calls (no Stripe needed)."""
    started = time.monotonic()
    api = Api(config["api_url"])
    steps = iter(range(1, 100))
    seen = {}

    def step(text):
        out("%2d. %s" % (next(steps), text))

    def detail(text):
        out("      " + text)

    def user():
        return api.call("GET", "/user", token=token)[1]["user"]

    def wait_for_user(what, done):
        deadline = time.monotonic() + webhook_timeout
        current = user()
        while not done(current):
            if time.monotonic() > deadline:
                raise DemoError(
                    "Waited %d s for the Stripe webhook to %s; GET /user still shows %s.\n%s\n"
                    "Check POST /stripe/webhook in the API's output (the `api |` lines of make dev)."
                    % (webhook_timeout, what, _balances(current), webhook_report(config)))
            time.sleep(0.2)
            current = user()
        return current

    # Plans
    step("GET /plans")
    plans = {plan["name"]: plan for plan in api.call("GET", "/plans")[1]["plans"]}
    for plan in plans.values():
        prices = ", ".join("%s %s" % (kind, _money(price)) for kind, price in sorted(plan["prices"].items()))
        detail("%-6s %7d credits per %s%s" % (plan["name"], plan["credits"], plan["interval"],
                                              ("  (" + prices + ")") if prices else ""))
    for name in ("Free", "Basic", "Power") if purchases else ("Free",):
        if name not in plans:
            raise DemoError("GET /plans has no %s plan; was products.json synced? Plans: %s"
                            % (name, ", ".join(plans) or "none"))
    free = plans["Free"]["credits"]

    # Sign up and sign in
    email = "demo-%s@example.com" % uuid.uuid4().hex[:10]
    step("Sign up %s in the Cognito emulator (%s) and confirm" % (email, config["aws_endpoint_url"]))
    sign_up(config, email)
    step("Sign in with USER_PASSWORD_AUTH")
    token = sign_in(config, email)
    detail("ID token %s... (%d characters)" % (token[:16], len(token)))
    seen.update(email=email, token=token)

    step("GET /user  (the first authenticated request creates the account)")
    account = user()
    detail("%s, id %s" % (_balances(account), account["id"]))
    if account["plan"] != "Free" or account["plan_credits"] != free or account["purchased_credits"] != 0:
        raise DemoError("A new account should be on Free with %d plan credits; got %s"
                        % (free, _balances(account)))
    seen["user_id"] = account["id"]

    step("POST /generate-key")
    key = api.call("POST", "/generate-key", token=token)[1]["key"]
    detail("key %s... (shown once; GET /user shows only its prefix)" % key[:11])

    step("POST /test with x-api-key until the credits run out")
    calls, remaining = 0, account["credits"]
    while True:
        status, body = api.call("POST", "/test", api_key=key, expect=(200, 402))
        if status == 402:
            break
        calls += 1
        if body.get("credits") != remaining - 1:
            raise DemoError("POST /test #%d left %s credits, expected %d" % (calls, body.get("credits"), remaining - 1))
        remaining = body["credits"]
        if calls > account["credits"]:
            raise DemoError("POST /test kept answering 200 after %d calls with %d credits"
                            % (calls, account["credits"]))
    if calls != account["credits"]:
        raise DemoError("402 after %d calls; the account had %d credits" % (calls, account["credits"]))
    error = body.get("error") if isinstance(body.get("error"), dict) else {}
    detail("%d calls answered 200, then 402 %s: %s" % (calls, error.get("code"), error.get("message") or body))
    seen["free_calls"] = calls

    if not purchases:
        out("Done (metered part) in %.1f s." % (time.monotonic() - started))
        return seen

    if config.get("stripe_mode") != "sandbox":
        step("POST /checkout Basic one-off")
        checkout = api.call("POST", "/checkout", token=token, body={"plan": "Basic", "subscribe": False})[1]
        detail("Stripe test mode: open %s and pay with card 4242 4242 4242 4242;" % checkout["url"])
        detail("`stripe listen --forward-to` delivers the webhook. The rest of the walk needs the sandbox.")
        return seen

    # A one-off Basic pack, paid on the hosted checkout page
    basic = plans["Basic"]["credits"]
    step("POST /checkout {\"plan\": \"Basic\", \"subscribe\": false}")
    checkout = api.call("POST", "/checkout", token=token, body={"plan": "Basic", "subscribe": False})[1]
    detail("session %s, pay at %s" % (checkout["session_id"], checkout["url"]))
    step("Pay on the hosted checkout page (the Pay button)")
    import requests
    browser = local_session()
    try:
        page = browser.get(checkout["url"], timeout=HTTP_TIMEOUT)
    except requests.RequestException as error:
        raise DemoError("The checkout page %s did not answer: %s" % (checkout["url"], error))
    if page.status_code != 200 or 'value="pay"' not in page.text:
        raise DemoError("The checkout page %s has no Pay button (status %d)" % (checkout["url"], page.status_code))
    try:
        paid = browser.post(checkout["url"], data={"action": "pay"}, timeout=HTTP_TIMEOUT,
                            allow_redirects=False)
    except requests.RequestException as error:
        raise DemoError("Paying on %s failed: %s" % (checkout["url"], error))
    if paid.status_code not in (302, 303):
        raise DemoError("Paying answered %d, expected a redirect to the success page: %s"
                        % (paid.status_code, paid.text[:300]))
    detail("paid; the browser would now go to %s" % paid.headers.get("Location"))

    step("Wait for the webhook to add the pack (GET /user)")
    account = wait_for_user("add %d purchased credits" % basic,
                            lambda u: u["purchased_credits"] >= basic)
    detail(_balances(account))
    if account["plan"] != "Free" or account["purchased_credits"] != basic:
        raise DemoError("After buying a Basic pack: expected Free with %d purchased credits; got %s"
                        % (basic, _balances(account)))

    step("POST /test spends the purchased credits")
    body = api.call("POST", "/test", api_key=key)[1]
    detail("%d credits left" % body["credits"])
    if body["credits"] != basic - 1:
        raise DemoError("Expected %d credits left, got %s" % (basic - 1, body["credits"]))
    purchased = basic - 1

    # A Power subscription, paid through the sandbox's control
    power = plans["Power"]["credits"]
    step("POST /checkout {\"plan\": \"Power\", \"subscribe\": true}")
    checkout = api.call("POST", "/checkout", token=token, body={"plan": "Power", "subscribe": True})[1]
    detail("session %s" % checkout["session_id"])
    step("Pay it with the sandbox control POST /_sandbox/checkout/%s/complete" % checkout["session_id"])
    response = sandbox_post(config, "/_sandbox/checkout/%s/complete" % checkout["session_id"])
    if response.status_code != 200:
        raise DemoError("The sandbox refused to complete the checkout (%d): %s"
                        % (response.status_code, response.text[:300]))
    subscription_id = response.json().get("subscription")
    detail("subscription %s" % subscription_id)

    step("Wait for the webhooks to put the account on Power (GET /user)")
    account = wait_for_user("start the Power subscription with %d plan credits" % power,
                            lambda u: u["plan"] == "Power" and u["plan_credits"] == power)
    detail("%s; subscription %s" % (_balances(account), account.get("subscription")))
    if account["purchased_credits"] != purchased:
        raise DemoError("Purchased credits should stay %d on Power; got %s" % (purchased, _balances(account)))
    subscription = account.get("subscription") or {}
    if subscription.get("id") != subscription_id or subscription.get("status") != "active":
        raise DemoError("GET /user should show subscription %s active; shows %s" % (subscription_id, subscription))

    step("POST /test spends plan credits first")
    body = api.call("POST", "/test", api_key=key)[1]
    account = user()
    detail(_balances(account))
    if account["plan_credits"] != power - 1 or account["purchased_credits"] != purchased:
        raise DemoError("Expected %d plan + %d purchased credits; got %s" % (power - 1, purchased, _balances(account)))

    step("Renew: POST /_sandbox/subscriptions/%s/renew (a month passes, the invoice is paid)" % subscription_id)
    response = sandbox_post(config, "/_sandbox/subscriptions/%s/renew" % subscription_id)
    if response.status_code != 200:
        raise DemoError("The sandbox refused to renew (%d): %s" % (response.status_code, response.text[:300]))
    account = wait_for_user("reset the plan credits to %d for the new period" % power,
                            lambda u: u["plan_credits"] == power)
    detail("%s (unused allowance does not pile up)" % _balances(account))
    if account["plan"] != "Power" or account["purchased_credits"] != purchased:
        raise DemoError("After the renewal: expected Power with %d purchased credits; got %s"
                        % (purchased, _balances(account)))

    # Back to Free
    step("POST /stop-subscriptions")
    stopped = api.call("POST", "/stop-subscriptions", token=token)[1]["user"]
    detail(_balances(stopped))
    if stopped["plan"] != "Free":
        raise DemoError("POST /stop-subscriptions should answer plan Free; answered %s" % _balances(stopped))
    step("GET /user once Stripe's cancellation webhook has arrived")
    account = wait_for_user("confirm the cancellation",
                            lambda u: u["plan"] == "Free" and not (u.get("subscription") or {}).get("status") == "active")
    time.sleep(1)  # a late webhook must not change anything
    account = user()
    detail("%s; subscription %s" % (_balances(account), account.get("subscription") or "none"))
    if account["plan"] != "Free" or account["plan_credits"] != free or account["purchased_credits"] != purchased:
        raise DemoError("Back on Free: expected %d plan + %d purchased credits; got %s"
                        % (free, purchased, _balances(account)))

    step("GET /ledger")
    entries = api.call("GET", "/ledger", token=token)[1]["entries"]
    for entry in entries[:10]:
        detail("%-22s %-10s %+8d  %s" % (entry.get("at"), entry.get("kind"), entry.get("credits") or 0,
                                         "%s (%s)" % (entry.get("description") or "", entry.get("reference") or "")))

    out("Done in %.1f s: signed up, spent, bought, subscribed, renewed and went back to Free."
        % (time.monotonic() - started))
    seen.update(subscription_id=subscription_id, final=account)
    return seen


# Entry points --------------------------------------------------------------------------
