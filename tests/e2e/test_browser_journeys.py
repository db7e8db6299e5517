"""In a real headless Chromium, through the real local stack (Cognito
emulator, Stripe sandbox, `chalice local`) and the built frontend, as a
person uses the product, VAT and the billing history included. A screenshot
of every page goes to .local/screenshots/."""
import os
import re

import pytest
import requests
from playwright.sync_api import expect

from browser_support import Sandbox, browser_stack, digits, headless_chromium, people, settle


@pytest.fixture(scope="module")
def stack(shared_dev_stack):
    return browser_stack(shared_dev_stack)


@pytest.fixture(scope="module")
def chromium():
    yield from headless_chromium()


@pytest.fixture
def person(chromium, stack):
    yield from people(chromium, stack)


def signed_up(person, label):
    """A new person, signed up and signed in through the app, on their account page."""
    someone = person(label)
    someone.open("/account")
    someone.page.wait_for_url(re.compile(r"/signin\?redirect="))
    someone.shot("sign-in-required")
    someone.sign_up()
    someone.page.wait_for_url(re.compile(r"/account$"))
    someone.account()
    return someone


def spend_until_refused(api_url, key):
    """POST /test with the key until the API answers 402; the 200s it took."""
    answered = 0
    with requests.Session() as session:
        while True:
            response = session.post(api_url + "/test", headers={"x-api-key": key}, timeout=10)
            if response.status_code != 200:
                assert response.status_code == 402, response.text
                assert response.json()["error"]["code"] == "insufficient_credits"
                return answered
            answered += 1
            assert answered <= 1000, "the key never ran out of credits"


def test_sign_up_spend_buy_subscribe_and_return_to_free(person, stack):
    alice = signed_up(person, "journey")
    alice.shot("account-new")
    assert alice.plan() == "Free"
    assert alice.number("total-credits") == 50

    shown, copied = alice.create_key("prod")
    assert copied == shown and len(copied) > 20
    alice.page.reload()
    alice.account()
    assert copied.startswith(alice.by_test_id("api-key-prefix").inner_text().strip().rstrip(".…"))

    alice.page.get_by_role("navigation").get_by_role("link", name="API").click()
    alice.page.wait_for_url(re.compile(r"/quickstart$"))
    expect(alice.by_test_id("api-url")).to_have_text(stack["api_url"])
    settle(alice.page)
    alice.shot("quickstart")

    assert spend_until_refused(stack["api_url"], copied) == 50
    alice.page.reload()
    alice.account()
    assert alice.number("total-credits") == 0
    alice.shot("account-spent")

    alice.start_checkout("Basic", "Buy once")
    assert "1,000 credits on the Free plan" in alice.pay()
    alice.go_to_account()
    assert alice.number("purchased-credits") == 1000
    alice.shot("account-basic-pack")

    alice.start_checkout("Power", "Subscribe")
    subscribed = alice.pay()
    alice.go_to_account()
    expect(alice.by_test_id("plan-name")).to_have_text("Power")
    alice.reload_until("plan-credits", 100000)
    assert alice.number("purchased-credits") == 1000
    assert alice.by_test_id("next-reset").inner_text().strip()
    alice.shot("account-power")

    alice.pricing()
    expect(alice.plan_card("Power").get_by_role("button", name="Subscribe")).to_have_count(0)
    alice.plan_card("Free").get_by_role("button", name="Switch to Free").click()
    dialog = alice.page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Keep my plan")).to_be_visible()
    alice.shot("confirm-switch-to-free")
    dialog.get_by_role("button", name="Switch to Free").click()
    expect(dialog).to_have_count(0)
    expect(alice.plan_card("Free").get_by_text("Current plan")).to_be_visible()
    alice.shot("pricing-back-on-free")
    alice.go_to_account()
    expect(alice.by_test_id("plan-name")).to_have_text("Free")
    assert alice.number("purchased-credits") == 1000
    assert alice.number("plan-credits") == 50
    alice.shot("account-back-to-free")

    ledger = alice.page.get_by_role("table").filter(has_text="Credits")
    expect(ledger.get_by_role("row")).to_have_count(5)      # the header and four entries
    header = [cell.inner_text().strip() for cell in ledger.get_by_role("columnheader").all()]
    rows = [[cell.inner_text().strip() for cell in row.get_by_role("cell").all()]
            for row in ledger.get_by_role("row").all()[1:]]
    figures = sorted(digits(row[header.index("Credits")]) for row in rows)
    assert figures == [50, 50, 1000, 100000], rows  # sign-up, pack, Power, back to Free: each once

    # The success page waited for the subscription's credits, not only its plan.
    assert "101,000 credits on the Power plan" in subscribed


def test_upgrade_from_the_pricing_page_then_a_refunded_pack_shows_the_debt(person, stack):
    bob = signed_up(person, "upgrade")
    bob.start_checkout("Basic", "Subscribe")
    bob.pay()
    bob.go_to_account()
    bob.reload_until("plan-credits", 1000)
    bob.pricing()
    bob.plan_card("Power").get_by_role("button", name="Switch to Power").click()
    dialog = bob.page.get_by_role("dialog")
    expect(dialog).to_contain_text("less what is left of your Basic period")
    bob.shot("confirm-upgrade")
    dialog.get_by_role("button", name="Switch to Power").click()
    expect(dialog).to_have_count(0)
    bob.go_to_account()
    expect(bob.by_test_id("plan-name")).to_have_text("Power")
    bob.reload_until("plan-credits", 100000)
    bob.shot("account-upgraded")

    carol = signed_up(person, "refunded-pack")
    _, key = carol.create_key("Refund test")
    carol.start_checkout("Basic", "Buy once")
    carol.pay()
    session_id = re.search(r"session_id=(cs_[^&]+)", carol.page.url).group(1)
    with requests.Session() as session:  # spend it all: 50 plan and 1,000 purchased credits
        while session.post(stack["api_url"] + "/test/heavy", headers={"x-api-key": key}, timeout=10).ok:
            pass
    Sandbox(stack).refund_checkout(session_id)
    carol.go_to_account()
    assert "You owe 1,000 credits." in carol.reload_until_shown("credits-owed")
    expect(carol.by_test_id("total-credits")).to_have_text("-1,000")
    carol.shot("account-owes-credits")


def test_declining_on_the_hosted_page_returns_to_cancel_and_grants_nothing(person, stack):
    bob = signed_up(person, "decline")
    bob.start_checkout("Basic", "Buy once")
    bob.page.get_by_role("button", name="Decline").click()
    bob.page.wait_for_url(re.compile(r"/checkout/cancel"))
    settle(bob.page)
    bob.shot("checkout-cancel")
    expect(bob.page.get_by_text(re.compile("not charged|nothing was charged|no charge", re.I))).to_be_visible()
    bob.account()
    assert bob.number("purchased-credits") == 0
    assert bob.number("total-credits") == 50


def test_double_clicking_subscribe_opens_one_checkout(person, stack):
    carol = signed_up(person, "double-click")
    sandbox = Sandbox(stack)
    before = {session["id"] for session in sandbox.checkout_sessions()}
    carol.pricing()
    carol.plan_card("Basic").get_by_role("button", name="Subscribe").dblclick()
    carol.page.wait_for_url(stack["stripe_api_base"] + "/**")
    carol.shot("hosted-checkout")
    carol.page.wait_for_timeout(500)  # a second request, if any, would have been sent by now
    opened = [session for session in sandbox.checkout_sessions() if session["id"] not in before]
    assert len(opened) == 1, opened


def test_each_person_sees_only_their_own_data(person, stack):
    dave = signed_up(person, "dave")
    erin = signed_up(person, "erin")
    dave.create_key("dave-key")
    erin.create_key("erin-key")
    dave.start_checkout("Basic", "Buy once")
    dave.pay()
    dave.go_to_account()
    assert dave.number("purchased-credits") == 1000

    erin.page.reload()
    erin.account()
    erin.shot("account-other-person")
    assert erin.number("purchased-credits") == 0
    assert erin.by_test_id("api-key-prefix").inner_text() != dave.by_test_id("api-key-prefix").inner_text()
    page_text = erin.page.inner_text("body")
    assert erin.email in page_text and dave.email not in page_text


def test_after_signing_out_back_shows_no_private_data(person, stack):
    frank = signed_up(person, "sign-out")
    frank.create_key("frank-key")
    prefix = frank.by_test_id("api-key-prefix").inner_text().strip()
    navigation = frank.page.get_by_role("navigation")
    navigation.get_by_role("link", name="Pricing").click()
    frank.page.wait_for_url(re.compile(r"/pricing$"))
    navigation.get_by_role("link", name="Account").click()
    frank.account()
    frank.sign_out()
    frank.page.get_by_role("link", name="Sign in").or_(
        frank.page.get_by_role("button", name="Sign in")).first.wait_for()
    settle(frank.page)
    frank.shot("signed-out")

    # Sign-out replaced the account page with pricing: Back leads to the
    # pricing page visited before, then to the account page's entry.
    for expected, name in ((r"/pricing$", "back-once"), (r"/signin\?redirect=(/|%2F)account$", "back-twice")):
        frank.page.evaluate("history.back()")         # the browser's Back button
        frank.page.wait_for_url(re.compile(expected))
        settle(frank.page)
        frank.shot(name)
        expect(frank.by_test_id("total-credits")).to_have_count(0)
        expect(frank.by_test_id("api-key-prefix")).to_have_count(0)
        body = frank.page.inner_text("body")
        assert frank.email not in body and prefix not in body


def test_keys_prod_and_staging_staging_limited_then_revoked_while_prod_works(person, stack):
    import concurrent.futures

    grace = signed_up(person, "keys")
    _, prod = grace.create_key("prod")
    _, staging = grace.create_key("staging", limit=(5, "second"))
    api = stack["api_url"]
    for key in (prod, staging):
        assert requests.post(api + "/test", headers={"x-api-key": key}, timeout=10).status_code == 200

    with requests.Session() as session, concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: session.post(api + "/test", headers={"x-api-key": staging}, timeout=10),
                                range(20)))
    refused = [answer for answer in answers if answer.status_code == 429]
    assert refused and {answer.json()["error"]["code"] for answer in refused} == {"rate_limited"}
    assert all(int(answer.headers["Retry-After"]) >= 1 for answer in refused)
    assert {answer.status_code for answer in answers} <= {200, 429}

    grace.page.reload()
    grace.account()
    expect(grace.key_row("staging").get_by_test_id("key-limit")).to_have_text("5 per second")
    expect(grace.key_row("prod").get_by_test_id("key-last-used")).not_to_have_text("Never")
    grace.shot("keys-in-use")
    assert grace.serious_accessibility_violations() == []

    grace.page.get_by_role("button", name="Revoke staging").click()
    dialog = grace.page.get_by_role("dialog")
    expect(dialog).to_contain_text("stops working at once")
    grace.shot("confirm-revoke")
    assert grace.serious_accessibility_violations() == []
    dialog.get_by_role("button", name="Revoke key").click()
    expect(grace.key_row("staging")).to_have_count(0)
    assert requests.post(api + "/test", headers={"x-api-key": staging}, timeout=10).status_code == 401
    assert requests.post(api + "/test", headers={"x-api-key": prod}, timeout=10).status_code == 200

    grace.page.set_viewport_size({"width": 360, "height": 800})
    grace.page.reload()
    grace.account()
    grace.key_row("prod").get_by_role("button", name="Edit prod").click()
    expect(grace.page.get_by_role("dialog")).to_be_visible()
    grace.shot("phone-edit-key")
    assert grace.serious_accessibility_violations() == []
    grace.page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    grace.shot("phone-keys")
    assert grace.page.evaluate("document.documentElement.scrollWidth") <= 360
    assert grace.serious_accessibility_violations() == []


def admin_command(stack, *argv):
    """scripts/admin.py against this test's local stack, as an operator runs it."""
    import subprocess
    import sys
    from scripts import ROOT
    command = [sys.executable, os.path.join(ROOT, "scripts", "admin.py"), "--stage", "local",
               "--state-dir", stack["state_dir"], *argv]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def confirmed_user(stack, email):
    """A confirmed user of the stack's pool, signed up outside the browser."""
    import boto3
    from browser_support import PASSWORD
    cognito = boto3.client("cognito-idp", region_name=stack["region"], endpoint_url=stack["aws_endpoint_url"],
                           aws_access_key_id="local", aws_secret_access_key="local")
    cognito.sign_up(ClientId=stack["user_pool_client_id"], Username=email, Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": email}])
    cognito.confirm_sign_up(ClientId=stack["user_pool_client_id"], Username=email, ConfirmationCode="000000")


def assert_accessible(someone, name):
    someone.settled()
    someone.shot(name)
    assert someone.serious_accessibility_violations() == [], name


def test_an_operator_finds_a_customer_grants_500_with_a_reason_and_suspends_them(person, stack):
    customer = signed_up(person, "support-customer")
    before = customer.number("total-credits")
    expect(customer.page.get_by_role("link", name="Operations")).to_have_count(0)
    operator = person("operator")
    confirmed_user(stack, operator.email)
    admin_command(stack, "promote", operator.email)
    operator.open("/signin")
    operator.sign_in()
    operator.page.get_by_role("link", name="Operations").click()
    expect(operator.page.get_by_test_id("mrr").first).to_be_visible()
    assert_accessible(operator, "admin-summary")

    operator.page.get_by_label("Find an account").fill(customer.email[:14])
    operator.page.get_by_role("button", name="Search").click()
    operator.page.get_by_role("link", name=customer.email).click()
    expect(operator.page.get_by_role("heading", name=customer.email)).to_be_visible()
    top_up = operator.by_test_id("admin-top-up")
    expect(top_up).to_contain_text("Low-balance alert")
    expect(top_up).to_contain_text("(the default)")
    expect(top_up).to_contain_text(re.compile(r"Automatic top-up\s*off"))
    assert_accessible(operator, "admin-account")

    operator.by_test_id("action-credits").click()
    dialog = operator.page.get_by_role("dialog")
    dialog.get_by_label("Credits (negative to void)").fill("500")
    dialog.get_by_label(re.compile("^Reason")).fill("Outage on 30 November")
    assert_accessible(operator, "admin-grant-dialog")
    dialog.get_by_role("button", name="Apply").click()
    expect(operator.page.get_by_role("status").filter(has_text="Credits adjusted.")).to_be_visible()
    assert operator.number("admin-total") == before + 500

    operator.page.get_by_role("button", name="Suspend").click()
    operator.page.get_by_role("dialog").get_by_label(re.compile("^Reason")).fill("Calls from a runaway loop")
    operator.page.get_by_role("dialog").get_by_role("button", name="Suspend").click()
    expect(operator.by_test_id("suspension")).to_contain_text("Calls from a runaway loop")

    customer.page.reload()
    customer.account()
    assert customer.number("total-credits") == before + 500
    expect(customer.page.get_by_role("row").filter(has_text="Outage on 30 November")).to_contain_text("500")
    expect(customer.by_test_id("suspension-notice")).to_contain_text("Calls from a runaway loop")
    customer.shot("account-after-support")

    operator.page.get_by_role("button", name="Lift suspension").click()
    operator.page.get_by_role("dialog").get_by_label(re.compile("^Reason")).fill("Loop fixed")
    operator.page.get_by_role("dialog").get_by_role("button", name="Lift suspension").click()
    expect(operator.by_test_id("suspension")).to_have_count(0)
    customer.page.reload()
    customer.account()
    expect(customer.by_test_id("suspension-notice")).to_have_count(0)

    operator.page.get_by_role("link", name="Audit").click()
    expect(operator.page.get_by_role("row").filter(has_text="Outage on 30 November")).to_contain_text("Granted")
    assert_accessible(operator, "admin-audit")


def test_a_customer_in_gb_buys_a_pack_and_downloads_its_invoice_with_the_vat(person, stack):
    """products.json's prices include VAT: the pricing page says so; a customer
    in the United Kingdom pays £5.00 for the Basic pack, of which £0.83 VAT,
    and downloads the invoice's PDF from the account page's Billing history."""
    buyer = signed_up(person, "invoices")
    expect(buyer.page.get_by_role("heading", name="Billing history")).to_be_visible()
    expect(buyer.page.get_by_text("No invoices yet")).to_be_visible()

    buyer.pricing()
    expect(buyer.plan_card("Basic").get_by_test_id("vat-note").first).to_have_text("incl. VAT")
    buyer.start_checkout("Basic", "Buy once")
    buyer.page.get_by_label("Country").select_option("GB")
    assert "1,050 credits" in buyer.pay()  # the Free plan's 50 and the pack's 1,000

    buyer.go_to_account()
    history = buyer.by_test_id("billing-history")
    row = history.get_by_role("row").filter(has_text="Basic pack")
    expect(row).to_have_count(1)
    cells = [cell.inner_text().strip() for cell in row.get_by_role("cell").all()]
    assert cells[2:5] == ["£5.00", "£0.83", "Paid"], cells
    history.scroll_into_view_if_needed()
    buyer.shot("billing-history")

    with buyer.page.expect_download() as downloading:
        row.get_by_role("link", name=re.compile(r"^Download invoice .* \(PDF\)$")).click()
    download = downloading.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        pdf = handle.read()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"\xa35.00" in pdf and b"\xa30.83" in pdf
