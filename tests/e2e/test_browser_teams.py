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
from playwright.sync_api import expect

from browser_support import PASSWORD, WEBHOOK_TIMEOUT_MS, browser_stack, headless_chromium, people, settle

INVITE_LINK = re.compile(r"https?://[^\s\"'<>]+/invite\?token=[^\s\"'<>]+")


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


def create_org(owner, name):
    """From the header's New organisation to the new organisation's Members page."""
    page = owner.page
    page.get_by_role("button", name="New organisation").click()
    dialog = page.get_by_role("dialog", name="Create an organisation")
    dialog.get_by_label("Name").fill(name)
    owner.shot("create-organisation")
    dialog.get_by_role("button", name="Create organisation").click()
    page.wait_for_url(re.compile(r"/members$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Members of " + name)


def invite(owner, email, role, label):
    page = owner.page
    form = page.get_by_role("article").filter(has=page.get_by_role("heading", name="Invite someone"))
    form.get_by_label("Email address").fill(email)
    form.get_by_label("Role").select_option(role)
    form.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_test_id("members-notice")).to_have_text("Invitation sent to %s as %s." % (email, label))
    expect(page.locator('[data-testid="invitation"][data-email="%s"]' % email)).to_be_visible()


def member_row(someone, email):
    return someone.page.locator('[data-testid="member"][data-email="%s"]' % email)


def chosen_org(someone):
    return someone.page.get_by_label("Organisation").locator("option:checked")


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
    expect(chosen_org(owner)).to_have_text("Personal")
    create_org(owner, "Acme")
    expect(page.get_by_test_id("my-role")).to_have_text("Owner")
    expect(chosen_org(owner)).to_have_text("Acme (Owner)")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Members")).to_be_visible()
    owner.settled()
    owner.shot("members-new")
    assert owner.serious_accessibility_violations() == []

    # ... and invites the developer by email.
    invite(owner, developer.email, "developer", "Developer")
    owner.shot("invitation-sent")
    assert owner.serious_accessibility_violations() == []
    fits_phone_and_is_accessible(owner, "members-phone")

    # The developer finds the email in the local inbox and opens its link.
    message, link = invitation_link(stack, developer.email)
    inbox = developer.context.new_page()
    inbox.goto(stack["inbox_url"])
    inbox.get_by_role("row").filter(has_text=developer.email).get_by_role("link").first.click()
    settle(inbox)
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
    expect(chosen_org(developer)).to_have_text("Acme (Developer)")
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
    expect(d_page.get_by_role("alert")).to_have_count(0)  # nothing asked for that the role may not see
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
    row = member_row(owner, developer.email)
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
    expect(chosen_org(developer)).to_have_text("Personal")
    developer.settled()
    developer.shot("developer-back-to-personal")
    assert urlsplit(d_page.url).path == "/account"


def test_a_billing_member_signs_up_from_the_link_becomes_owner_and_deletes_the_organisation(person, stack):
    """The other roles and the owner's actions: someone new signs up from the
    invitation link as a billing member (billing actions, no keys), is made an
    admin, then given the ownership (the old owner becomes an admin and loses
    the owner's actions), and deletes the organisation after a confirmation."""
    owner = signed_up(person, "teams-first-owner")
    newcomer = person("teams-newcomer")
    create_org(owner, "Beta")
    invite(owner, newcomer.email, "billing", "Billing")

    _, link = invitation_link(stack, newcomer.email)
    page = newcomer.page
    page.goto(link)
    page.get_by_role("link", name="Create an account").click()
    page.wait_for_url(re.compile(r"/signin\?.*signup=1"))
    newcomer.sign_up()
    page.wait_for_url(re.compile(r"/invite\?token="))
    expect(newcomer.by_test_id("invite-joined")).to_contain_text("You joined Beta as Billing.")
    newcomer.shot("joined-as-billing")

    # Billing: the plan and the money, but no keys (and no errors for them).
    page.get_by_role("link", name="Go to Beta's account").click()
    newcomer.account()
    expect(page.get_by_role("heading", level=1)).to_have_text("Beta")
    expect(page.get_by_role("button", name="Manage billing")).to_be_visible()
    expect(page.get_by_role("heading", name="Alerts and auto top-up")).to_be_visible()
    expect(newcomer.by_test_id("keys-not-for-role")).to_be_visible()
    expect(page.get_by_role("region", name="Create a key")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)
    newcomer.shot("account-as-billing")
    assert newcomer.serious_accessibility_violations() == []
    newcomer.pricing()
    expect(newcomer.plan_card("Basic").get_by_role("button", name="Subscribe")).to_be_visible()

    # The owner makes them an admin, then hands over the ownership.
    owner.open("/members")
    role = member_row(owner, newcomer.email).get_by_label("Role of %s" % newcomer.email)
    expect(role).to_have_value("billing")
    role.select_option("admin")
    expect(owner.by_test_id("members-notice")).to_have_text("%s is now Admin." % newcomer.email)
    owner.page.get_by_label("New owner").select_option(label=newcomer.email)
    owner.page.get_by_role("button", name="Transfer ownership").click()
    dialog = owner.page.get_by_role("dialog", name="Make %s the owner?" % newcomer.email)
    owner.shot("transfer-confirm")
    dialog.get_by_role("button", name="Transfer ownership").click()
    expect(owner.by_test_id("members-notice")).to_contain_text("owns Beta now; you are an admin.")
    expect(owner.by_test_id("my-role")).to_have_text("Admin")
    expect(owner.page.get_by_role("button", name="Delete organisation")).to_have_count(0)
    expect(owner.page.get_by_role("button", name="Transfer ownership")).to_have_count(0)
    owner.shot("after-transfer")
    assert owner.serious_accessibility_violations() == []

    # The new owner deletes Beta: both are back in their personal accounts.
    newcomer.open("/members")
    expect(newcomer.by_test_id("my-role")).to_have_text("Owner")
    page.get_by_role("button", name="Delete organisation").click()
    dialog = page.get_by_role("dialog", name="Delete Beta?")
    expect(dialog.get_by_role("button", name="Keep it")).to_be_focused()
    newcomer.shot("delete-confirm")
    dialog.get_by_role("button", name="Delete organisation").click()
    page.wait_for_url(re.compile(r"/account$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(chosen_org(newcomer)).to_have_text("Personal")
    expect(page.get_by_label("Organisation").locator("option")).to_have_count(1)
    newcomer.shot("after-delete")

    owner.open("/account")
    expect(owner.page.get_by_role("heading", level=1)).to_have_text("Your account", timeout=WEBHOOK_TIMEOUT_MS)
    expect(chosen_org(owner)).to_have_text("Personal")


def test_a_person_downloads_their_data_then_deletes_their_account(person, stack):
    """The account page's "Your data": the export downloads as a JSON file
    with their keys (no secret); deleting needs the account's email typed,
    then signs out to the pricing page; their key answers 401 and they can
    no longer sign in."""
    import json

    someone = signed_up(person, "leaving")
    key, _ = someone.create_key("prod")
    page = someone.page
    panel = page.get_by_test_id("your-data")
    with page.expect_download() as downloaded:
        panel.get_by_role("button", name="Download my data").click()
    data = json.loads(open(downloaded.value.path()).read())
    assert data["profile"]["email"] == someone.email
    assert [k["name"] for k in data["api_keys"]] == ["prod"] and key not in json.dumps(data)
    panel.get_by_role("button", name="Delete account").click()
    dialog = page.get_by_role("dialog", name="Delete your account?")
    dialog.get_by_label("Your email address").fill("not-" + someone.email)
    dialog.get_by_role("button", name="Delete my account").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Type your account")
    dialog.get_by_label("Your email address").fill(someone.email.upper())
    someone.shot("delete-confirm")
    assert not someone.serious_accessibility_violations()
    dialog.get_by_role("button", name="Delete my account").click()
    page.wait_for_url(re.compile(r"/\?deleted=1$"))
    expect(page.get_by_role("status").filter(has_text="Your account is deleted")).to_be_visible()
    someone.shot("deleted")
    assert metered_call(stack, key) == 401
    someone.open("/account")
    page.wait_for_url(re.compile(r"/signin\?redirect="))
    page.get_by_label("Email").fill(someone.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("^sign in$", re.I)).click()
    expect(page.get_by_text(re.compile("does not exist|incorrect", re.I)).first).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
