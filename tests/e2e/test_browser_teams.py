"""Organisations in a real headless Chromium against the local stack, with two
people: an owner creates "Acme" from the header and invites a developer by
email; the developer, who already has an account, opens the emailed link
from the local inbox, signs in, accepts and creates a key in Acme; the owner
sees them on the Members page and removes them, which revokes that key and
sends the developer back to their personal account. The Members and invite
pages have no serious or critical axe-core findings and fit a 360 px screen.
Screenshots go to .local/screenshots/ (teams-*)."""
import re
import time
from urllib.parse import urlsplit

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from browser_support import WEBHOOK_TIMEOUT_MS, Person, Shots, launch, require_built_frontend, start_stack

INVITE_LINK = re.compile(r"https?://[^\s\"'<>]+/invite\?token=[^\s\"'<>]+")


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    require_built_frontend()
    running = start_stack(tmp_path_factory.mktemp("teams-stack"))
    try:
        yield dict(running.config, state_dir=running.state_dir)
    finally:
        running.stop()
        running.kill()


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def person(chromium, stack):
    """make(label) -> a Person in a fresh browser context of their own."""
    contexts = []

    def make(label):
        context = chromium.new_context(viewport={"width": 1280, "height": 900},
                                       permissions=["clipboard-read", "clipboard-write"])
        contexts.append(context)
        return Person(context, stack, Shots(label))

    yield make
    for context in contexts:
        context.close()


def signed_up(person, label):
    """A new person, signed up through the app, on their account page."""
    someone = person(label)
    someone.open("/account")
    someone.page.wait_for_url(re.compile(r"/signin\?redirect="))
    someone.sign_up()
    someone.page.wait_for_url(re.compile(r"/account$"))
    someone.account()
    return someone


def invitation_link(stack, email, timeout_ms=WEBHOOK_TIMEOUT_MS):
    """The link in the invitation email to `email`, read from the local inbox
    (the email leaves through the ledger table's stream, a moment later)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        messages = requests.get(stack["inbox_url"] + "/messages", timeout=10).json()["messages"]
        for message in messages:
            if email in message["to"]:
                found = INVITE_LINK.search(message.get("text") or "") or INVITE_LINK.search(message.get("html") or "")
                if found:
                    return message, found.group(0).replace("&amp;", "&")
        assert time.monotonic() < deadline, "no invitation email to %s in the inbox" % email
        time.sleep(0.5)


def metered_call(stack, key):
    return requests.post(stack["api_url"] + "/test", headers={"x-api-key": key}, timeout=10).status_code


def fits_phone_and_is_accessible(someone, name):
    """At 360 px wide: nothing wider than the screen, no serious axe finding."""
    page = someone.page
    page.set_viewport_size({"width": 360, "height": 800})
    page.wait_for_timeout(200)
    someone.shot(name)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert someone.serious_accessibility_violations() == []
    page.set_viewport_size({"width": 1280, "height": 900})


def test_an_owner_invites_a_developer_who_joins_creates_a_key_and_is_removed(person, stack):
    owner = signed_up(person, "teams-owner")
    developer = signed_up(person, "teams-developer")
    developer.sign_out()
    developer.page.wait_for_url(re.compile(r"/pricing$"))

    # The owner creates Acme from the header and lands on its Members page.
    page = owner.page
    expect(page.get_by_label("Organisation").locator("option:checked")).to_have_text("Personal")
    page.get_by_role("button", name="New organisation").click()
    dialog = page.get_by_role("dialog", name="Create an organisation")
    dialog.get_by_label("Name").fill("Acme")
    owner.shot("create-organisation")
    dialog.get_by_role("button", name="Create organisation").click()
    page.wait_for_url(re.compile(r"/members$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Members of Acme")
    expect(page.get_by_test_id("my-role")).to_have_text("Owner")
    expect(page.get_by_label("Organisation").locator("option:checked")).to_have_text("Acme (Owner)")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Members")).to_be_visible()
    owner.settled()
    owner.shot("members-new")
    assert owner.serious_accessibility_violations() == []

    # ... and invites the developer by email.
    invite = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Invite someone"))
    invite.get_by_label("Email address").fill(developer.email)
    invite.get_by_label("Role").select_option("developer")
    invite.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_test_id("members-notice")).to_have_text(
        "Invitation sent to %s as Developer." % developer.email)
    expect(page.locator('[data-testid="invitation"][data-email="%s"]' % developer.email)).to_be_visible()
    owner.shot("invitation-sent")
    assert owner.serious_accessibility_violations() == []
    fits_phone_and_is_accessible(owner, "members-phone")

    # The developer finds the email in the local inbox and opens its link.
    message, link = invitation_link(stack, developer.email)
    inbox = developer.context.new_page()
    inbox.goto(stack["inbox_url"])
    inbox.get_by_role("row").filter(has_text=developer.email).get_by_role("link").first.click()
    inbox.wait_for_load_state("networkidle")
    developer.shots.take(inbox, "invitation-email")
    inbox.close()
    assert link.startswith(stack["frontend_url"] + "/invite?token="), link
    assert "Acme" in message["subject"] + (message.get("text") or "")

    d_page = developer.page
    d_page.goto(link)
    expect(d_page.get_by_role("heading", level=1)).to_have_text("You have been invited to an organisation")
    developer.shot("invite-signed-out")
    assert developer.serious_accessibility_violations() == []
    fits_phone_and_is_accessible(developer, "invite-signed-out-phone")

    # Signing in comes back to the link, which accepts and switches to Acme.
    d_page.get_by_role("link", name="Sign in to accept").click()
    d_page.wait_for_url(re.compile(r"/signin\?redirect="))
    developer.sign_in()
    d_page.wait_for_url(re.compile(r"/invite\?token="))
    expect(d_page.get_by_role("heading", level=1)).to_have_text("Welcome to Acme")
    expect(d_page.get_by_test_id("invite-joined")).to_contain_text("You joined Acme as Developer.")
    expect(d_page.get_by_label("Organisation").locator("option:checked")).to_have_text("Acme (Developer)")
    developer.shot("invite-accepted")
    assert developer.serious_accessibility_violations() == []
    fits_phone_and_is_accessible(developer, "invite-accepted-phone")

    # In Acme the developer manages keys, but sees no billing action.
    d_page.get_by_role("link", name="Go to Acme's account").click()
    d_page.wait_for_url(re.compile(r"/account$"))
    developer.account()
    expect(d_page.get_by_role("heading", level=1)).to_have_text("Acme")
    expect(developer.by_test_id("org-role")).to_contain_text("Developer")
    expect(d_page.get_by_role("button", name="Manage billing")).to_have_count(0)
    expect(d_page.get_by_role("heading", name="Alerts and auto top-up")).to_have_count(0)
    expect(developer.by_test_id("auto-top-up")).to_have_count(0)
    key, copied = developer.create_key("acme-dev")
    assert key == copied and key
    developer.shot("developer-key-in-acme")
    # The key is Acme's: accepted (a new organisation has no credits yet, so 402), not unknown (401).
    assert metered_call(stack, key) in (200, 402)

    # A reused link is refused with a clear message.
    d_page.goto(link)
    expect(d_page.get_by_test_id("invite-error")).to_have_attribute("data-code", "invitation_not_found")
    developer.shot("invite-used")

    # The owner sees the developer, then removes them: their key stops working.
    owner.open("/members")
    row = page.locator('[data-testid="member"][data-email="%s"]' % developer.email)
    expect(row.get_by_label("Role of %s" % developer.email)).to_have_value("developer")
    expect(page.locator('[data-testid="invitation"]')).to_have_count(0)
    owner.settled()
    owner.shot("members-with-developer")
    assert owner.serious_accessibility_violations() == []
    row.get_by_role("button", name="Remove %s" % developer.email).click()
    confirm = page.get_by_role("dialog", name="Remove %s?" % developer.email)
    owner.shot("remove-confirm")
    confirm.get_by_role("button", name="Remove", exact=True).click()
    expect(page.get_by_test_id("members-notice")).to_contain_text("1 API key they created was revoked.")
    expect(row).to_have_count(0)
    owner.shot("member-removed")
    assert metered_call(stack, key) == 401

    # The developer's next visit falls back to their personal account.
    d_page.goto(developer.url + "/account")
    expect(d_page.get_by_role("heading", level=1)).to_have_text("Your account", timeout=WEBHOOK_TIMEOUT_MS)
    expect(d_page.get_by_label("Organisation").locator("option:checked")).to_have_text("Personal")
    developer.settled()
    developer.shot("developer-back-to-personal")
    assert urlsplit(d_page.url).path == "/account"
