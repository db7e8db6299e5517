"""What the browser tests share: the stack serving the built frontend, the
browser, and a person's actions on the pages (names and test ids agreed in
frontend/README.md)."""
import os
import re
import time
import uuid
import weakref

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from dev_stack import frontend_built
from scripts import ROOT, browser

SCREENSHOTS = os.path.join(ROOT, ".local", "screenshots")
PASSWORD = "browser-pass-2024"
TIMEOUT_MS = 15000
WEBHOOK_TIMEOUT_MS = 30000
QUIET_MS = 200
FRONTEND = os.path.join(ROOT, "frontend")


def require_built_frontend():
    if not os.path.isfile(os.path.join(FRONTEND, "package.json")):
        pytest.skip("no frontend/ in this checkout")
    if not frontend_built():
        pytest.fail("frontend/dist is missing: `make test` builds it (cd frontend && npm run build).")


def launch(playwright):
    """Chromium as scripts/browser.py finds it; with CI=true a missing one
    fails the run, elsewhere the tests are skipped with the reason."""
    options = browser.launch_options(playwright)
    if options is None:
        message = ("No Chromium: run `make test` (it installs one) or `python scripts/browser.py "
                   "install`.")
        if browser.ci():
            pytest.fail(message)
        pytest.skip(message)
    return playwright.chromium.launch(**options)


def browser_stack(shared_dev_stack):
    """The worker's local stack serving the built frontend, as a module's
    `stack` fixture returns it: dev.json's settings and the state directory."""
    require_built_frontend()
    assert shared_dev_stack.config["frontend_mode"] == "dist", shared_dev_stack.config["frontend_mode"]
    return dict(shared_dev_stack.config, state_dir=shared_dev_stack.state_dir)


def headless_chromium():
    """A module's browser, as its `chromium` fixture yields it."""
    with sync_playwright() as playwright:
        browser_app = launch(playwright)
        yield browser_app
        browser_app.close()


def people(chromium, stack):
    """make(label) -> a Person in a fresh browser context of their own; the
    contexts close after the test (a `person` fixture yields it)."""
    contexts = []

    def make(label):
        context = chromium.new_context(viewport={"width": 1280, "height": 900},
                                       permissions=["clipboard-read", "clipboard-write"])
        contexts.append(context)
        return Person(context, stack, Shots(label))

    yield make
    for context in contexts:
        context.close()


class NetworkWatch:
    """The requests a browser context has in flight, for `settle`."""

    def __init__(self, context):
        self.in_flight = set()
        self.last_change = time.monotonic()
        context.on("request", self._sent)
        context.on("requestfinished", self._ended)
        context.on("requestfailed", self._ended)

    def _sent(self, request):
        self.in_flight.add(request)
        self.last_change = time.monotonic()

    def _ended(self, request):
        self.in_flight.discard(request)
        self.last_change = time.monotonic()

    def quiet_for(self):
        self.in_flight = {request for request in self.in_flight if _page_open(request)}
        return 0 if self.in_flight else (time.monotonic() - self.last_change) * 1000


def _page_open(request):
    """A closed page's requests never end."""
    try:
        return not request.frame.page.is_closed()
    except Exception:  # not a page's request (a service worker's)
        return True


_watches = weakref.WeakKeyDictionary()


def watch_network(context):
    if context not in _watches:
        _watches[context] = NetworkWatch(context)
    return context


def settle(page, timeout_ms=TIMEOUT_MS):
    """Waits until the page's context has had no request in flight for
    QUIET_MS. Chromium's `networkidle` waits for 500 ms of silence; the app
    sends its next request within milliseconds of the answer it follows, so
    a shorter silence says the same, sooner, at every page load."""
    watch = _watches[page.context]
    deadline = time.monotonic() + timeout_ms / 1000
    while watch.quiet_for() < QUIET_MS:
        assert time.monotonic() < deadline, "the page kept loading for %d ms: %s" % (
            timeout_ms, sorted(request.url for request in watch.in_flight)[:5])
        page.wait_for_timeout(25)


def new_email(label):
    return "%s-%s@example.com" % (label, uuid.uuid4().hex[:10])


def digits(text):
    """1,000 / 1 000 / 1.000 -> 1000 (the figure as the page formats it)."""
    found = re.sub(r"[^\d]", "", text or "")
    return int(found) if found else None


class Shots:
    """A full-page screenshot of every page visited, numbered in order."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.count = 0
        os.makedirs(SCREENSHOTS, exist_ok=True)

    def take(self, page, name):
        self.count += 1
        path = os.path.join(SCREENSHOTS, "%s-%02d-%s.png" % (self.prefix, self.count, name))
        page.screenshot(path=path, full_page=True)
        return path


class Sandbox:
    """The Stripe sandbox's API, as a test reads it (any sk_test_ key)."""

    def __init__(self, config):
        self.base = config["stripe_api_base"]
        self.auth = ("sk_test_browser_tests", "")

    def checkout_sessions(self):
        response = requests.get(self.base + "/v1/checkout/sessions", params={"limit": 100},
                                auth=self.auth, timeout=10)
        response.raise_for_status()
        return response.json()["data"]


    def refund_checkout(self, session_id):
        """Refund a pack in full, as the operator would in Stripe's dashboard."""
        session = requests.get(self.base + "/v1/checkout/sessions/" + session_id, auth=self.auth, timeout=10).json()
        intent = requests.get(self.base + "/v1/payment_intents/" + session["payment_intent"], auth=self.auth,
                              timeout=10).json()
        response = requests.post(self.base + "/v1/refunds", data={"charge": intent["latest_charge"]},
                                 auth=self.auth, timeout=10)
        response.raise_for_status()
        return response.json()


class Person:
    """One person in one browser context, clicking through the app."""

    def __init__(self, context, config, shots, email=None):
        self.context = context
        self.config = config
        self.shots = shots
        self.email = email or new_email("person")
        watch_network(context)
        self.page = context.new_page()
        self.page.set_default_timeout(TIMEOUT_MS)

    @property
    def url(self):
        return self.config["frontend_url"]

    def shot(self, name):
        return self.shots.take(self.page, name)

    def open(self, path, name=None):
        self.page.goto(self.url + path)
        settle(self.page)
        if name:
            self.shot(name)

    def by_test_id(self, test_id):
        return self.page.get_by_test_id(test_id)

    def number(self, test_id):
        locator = self.by_test_id(test_id)
        locator.wait_for()
        return digits(locator.inner_text())

    def reload_until(self, test_id, expected, timeout_ms=WEBHOOK_TIMEOUT_MS):
        """Reload the page until the figure shows `expected` (a webhook may
        still be on its way), as a person would."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            found = self.number(test_id)
            if found == expected or time.monotonic() > deadline:
                assert found == expected, "%s shows %s, not %s" % (test_id, found, expected)
                return found
            self.page.wait_for_timeout(1000)
            self.page.reload()

    # Auth --------------------------------------------------------------------

    def sign_up(self):
        """Create Account, confirm with any code (the emulator takes any),
        then sign in if the Authenticator did not do it already."""
        page = self.page
        page.get_by_role("tab", name=re.compile("create account", re.I)).click()
        page.get_by_label("Email").fill(self.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label(re.compile("confirm password", re.I)).fill(PASSWORD)
        self.shot("sign-up")
        page.get_by_role("button", name=re.compile("^create account$", re.I)).click()
        code = page.get_by_label(re.compile("confirmation code", re.I))
        code.wait_for()
        self.shot("confirm-sign-up")
        code.fill("123456")
        page.get_by_role("button", name=re.compile("^confirm$", re.I)).click()
        signed_in = page.get_by_role("button", name="Sign out")
        sign_in = page.get_by_role("button", name=re.compile("^sign in$", re.I))
        signed_in.or_(sign_in).first.wait_for()
        if not signed_in.is_visible():
            self.sign_in(on_form=True)

    def sign_in(self, on_form=False):
        page = self.page
        if not on_form:
            page.get_by_role("tab", name=re.compile("^sign in$", re.I)).click()
        page.get_by_label("Email").fill(self.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        self.shot("sign-in")
        page.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
        page.get_by_role("button", name="Sign out").wait_for()

    def sign_out(self):
        self.page.get_by_role("button", name="Sign out").click()

    # Pages -----------------------------------------------------------------

    def account(self):
        """The account page, loaded (signed in)."""
        if not self.page.url.startswith(self.url + "/account"):
            self.open("/account")
        self.by_test_id("plan-name").wait_for()
        self.settled()
        return self

    def settled(self):
        """Nothing on the page is still loading (the app says "Loading …")."""
        settle(self.page)
        expect(self.page.get_by_text(re.compile(r"^Loading\b"))).to_have_count(0)

    def reload_until_shown(self, test_id, timeout_ms=WEBHOOK_TIMEOUT_MS):
        """Reload until the element is on the page (a webhook may be on its way)."""
        deadline = time.monotonic() + timeout_ms / 1000
        while True:
            self.account()
            if self.by_test_id(test_id).count() or time.monotonic() > deadline:
                return self.by_test_id(test_id).inner_text()
            self.page.wait_for_timeout(1000)
            self.page.reload()

    def plan(self):
        return self.by_test_id("plan-name").inner_text().strip()

    def plan_card(self, name):
        self.page.wait_for_url(re.compile(r"/(pricing)?(\?.*)?$"))
        return self.page.get_by_role("article").filter(
            has=self.page.get_by_role("heading", name=name, exact=True))

    def pricing(self):
        self.open("/pricing")
        self.page.get_by_role("article").first.wait_for()
        return self

    def start_checkout(self, plan, button):
        """From the pricing page to the sandbox's hosted checkout page."""
        self.pricing()
        self.shot("pricing")
        self.plan_card(plan).get_by_role("button", name=button).click()
        self.page.wait_for_url(self.config["stripe_api_base"] + "/**")
        settle(self.page)
        self.shot("hosted-checkout")

    def pay(self):
        """Pay on the hosted page: back on the success page, which says so
        once the webhook has added the purchase; returns what it says."""
        self.page.get_by_role("button", name=re.compile("^Pay ")).click()
        self.page.wait_for_url(re.compile(r"/checkout/success\?session_id=cs_"))
        status = self.by_test_id("checkout-status")
        status.get_by_text("Your purchase is ready").wait_for(timeout=WEBHOOK_TIMEOUT_MS)
        self.shot("checkout-success")
        return status.inner_text()

    def go_to_account(self):
        """Through the app's own link (no reload)."""
        self.page.get_by_role("link", name=re.compile("account", re.I)).first.click()
        self.page.wait_for_url(re.compile(r"/account$"))
        return self.account()

    def create_key(self, name, limit=None):
        """Create a key on the account page (name, optional (requests, per)),
        copy it with the Copy button and read the clipboard: (shown, copied)."""
        page = self.page
        form = page.get_by_role("region", name="Create a key")
        form.get_by_label("Name").fill(name)
        if limit is not None:
            form.get_by_label("Limit this key's calls").check()
            form.get_by_label("Requests").fill(str(limit[0]))
            form.get_by_label("Window").select_option(limit[1])
        form.get_by_role("button", name="Create key").click()
        shown = self.by_test_id("new-api-key")
        expect(page.get_by_role("status").filter(has_text=name)).to_be_visible()
        self.shot("new-key-" + name)
        page.get_by_role("button", name="Copy").click()
        copied = page.evaluate("navigator.clipboard.readText()")
        text = shown.inner_text().strip()
        page.get_by_role("button", name="Done").click()
        return text, copied

    def key_row(self, name):
        return self.page.locator('[data-testid="api-key"][data-key-name="%s"]' % name)

    def serious_accessibility_violations(self):
        """axe-core's serious and critical findings on the page as it is now."""
        self.page.add_script_tag(path=os.path.join(FRONTEND, "node_modules", "axe-core", "axe.min.js"))
        results = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [(violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]][:3])
                for violation in results["violations"] if violation["impact"] in ("serious", "critical")]
