"""The account page's "Alerts and auto top-up" panel in a real headless
Chromium against the local stack: the optional emails' switches persist, the
emails' unsubscribe link (`/account#notifications`) lands on them, and the
parts whose routes this server does not have say so. Where the server has
`/alerts` and `/auto-top-up`, an alert threshold persists, turning auto
top-up on without a saved card shows the API's message, and after saving a
card on the sandbox's page it turns on. Screenshots go to
.local/screenshots/ (alerts-*)."""
import os
import re

import pytest
import requests
from playwright.sync_api import expect

from browser_support import SCREENSHOTS, WEBHOOK_TIMEOUT_MS, Person, Shots, browser_stack, headless_chromium, settle


@pytest.fixture(scope="module")
def stack(shared_dev_stack):
    return browser_stack(shared_dev_stack)


@pytest.fixture(scope="module")
def chromium():
    yield from headless_chromium()


SHOT_PREFIXES = {
    "test_optional_emails_persist_and_the_unsubscribe_link_lands_on_them": "alerts-emails",
    "test_the_panel_says_what_this_server_lacks_and_is_accessible_on_desktop_and_phone": "alerts-panel",
    "test_an_alert_threshold_persists_and_auto_top_up_turns_on_with_a_saved_card": "alerts-top-up",
    "test_an_alert_crossed_by_metered_calls_arrives_in_the_local_inbox": "alerts-inbox",
}


@pytest.fixture
def someone(chromium, stack, request):
    """A new person, signed up through the app, on their account page."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    person = Person(context, stack, Shots(SHOT_PREFIXES.get(request.node.name, "alerts")))
    person.open("/account")
    person.page.wait_for_url(re.compile(r"/signin\?redirect="))
    person.sign_up()
    person.page.wait_for_url(re.compile(r"/account$"))
    person.account()
    yield person
    context.close()


def has_route(stack, path):
    """The API has the route (without a token a route it has answers 401, one
    it lacks 404)."""
    return requests.get(stack["api_url"] + path, timeout=10).status_code != 404


def viewport_shot(person, name):
    """What the person sees now (the window, not the whole page)."""
    person.shots.count += 1
    path = os.path.join(SCREENSHOTS, "%s-%02d-%s.png" % (person.shots.prefix, person.shots.count, name))
    person.page.screenshot(path=path)
    return path


def panel(person):
    page = person.page
    return page.get_by_role("article").filter(has=page.get_by_role("heading", name="Alerts and auto top-up"))


def switch(person, name):
    return person.page.locator("#notifications").get_by_role("switch", name=name)


def test_optional_emails_persist_and_the_unsubscribe_link_lands_on_them(someone, stack):
    page = someone.page
    expect(panel(someone)).to_be_visible()
    expect(switch(someone, "Low-balance emails")).to_be_checked()
    expect(switch(someone, "Product updates")).to_be_checked()

    switch(someone, "Product updates").uncheck()
    expect(page.get_by_role("status").filter(has_text="Product updates turned off.")).to_be_visible()
    switch(someone, "Low-balance emails").uncheck()
    expect(page.get_by_role("status").filter(has_text="Low-balance emails turned off.")).to_be_visible()
    someone.shot("emails-off")

    # What the emails' List-Unsubscribe link opens: a fresh page load (from
    # another page, so the browser does not treat it as a jump within this one).
    someone.open("/pricing")
    page.goto(someone.url + "/account#notifications")
    someone.account()
    expect(switch(someone, "Product updates")).not_to_be_checked()
    expect(switch(someone, "Low-balance emails")).not_to_be_checked()
    expect(page.locator("#notifications")).to_be_in_viewport()
    assert page.evaluate("window.scrollY") > 0  # brought into view, not left at the top
    viewport_shot(someone, "unsubscribe-link")

    switch(someone, "Low-balance emails").check()
    expect(page.get_by_role("status").filter(has_text="Low-balance emails turned on.")).to_be_visible()
    page.reload()
    someone.account()
    expect(switch(someone, "Low-balance emails")).to_be_checked()
    expect(switch(someone, "Product updates")).not_to_be_checked()


def test_the_panel_says_what_this_server_lacks_and_is_accessible_on_desktop_and_phone(someone, stack):
    page = someone.page
    box = panel(someone)
    if has_route(stack, "/alerts"):
        expect(box.get_by_text("Email me when my credits fall below")).to_be_visible()
    else:
        expect(box.get_by_test_id("alerts-unavailable")).to_have_text(
            "Low-balance alerts are not available on this server yet.")
    if has_route(stack, "/auto-top-up"):
        expect(box.get_by_role("switch", name="Top up automatically")).to_be_visible()
    else:
        expect(box.get_by_test_id("auto-top-up-unavailable")).to_have_text(
            "Auto top-up is not available on this server yet.")
    expect(box.get_by_role("alert")).to_have_count(0)
    box.scroll_into_view_if_needed()
    someone.shot("panel")
    assert someone.serious_accessibility_violations() == []

    page.set_viewport_size({"width": 360, "height": 800})
    page.reload()
    someone.account()
    panel(someone).scroll_into_view_if_needed()
    someone.shot("phone-panel")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert someone.serious_accessibility_violations() == []


def test_an_alert_threshold_persists_and_auto_top_up_turns_on_with_a_saved_card(someone, stack):
    if not (has_route(stack, "/alerts") and has_route(stack, "/auto-top-up")):
        pytest.skip("this server has no /alerts or /auto-top-up yet")
    page = someone.page
    alert = page.get_by_test_id("low-balance-alert")
    alert.get_by_label("A threshold of my own").check()
    alert.get_by_label("Threshold in credits").fill("990")
    alert.get_by_role("button", name="Save alert").click()
    expect(alert.get_by_role("status")).to_have_text("Alert saved.")
    page.reload()
    someone.account()
    expect(page.get_by_test_id("low-balance-alert").get_by_label("Threshold in credits")).to_have_value("990")

    top_up = page.get_by_test_id("auto-top-up")
    expect(top_up.get_by_test_id("saved-card")).to_have_text("No card saved")
    expect(top_up.get_by_role("button", name="Save a card")).to_be_visible()
    top_up.get_by_role("switch", name="Top up automatically").check()
    top_up.get_by_label("When credits fall below").fill("950")
    top_up.get_by_label("Pack to buy").select_option("Basic")
    top_up.get_by_label("Top-ups a month, at most").fill("2")
    top_up.get_by_role("button", name="Save auto top-up").click()
    error = top_up.get_by_test_id("auto-top-up-error")
    expect(error).to_be_visible()
    expect(error.get_by_role("button", name="Save a card now")).to_be_visible()
    someone.shot("needs-a-card")
    assert someone.serious_accessibility_violations() == []

    # Stripe's card page (the sandbox's, setup mode), and back.
    error.get_by_role("button", name="Save a card now").click()
    page.wait_for_url(stack["stripe_api_base"] + "/**")
    settle(page)
    someone.shot("hosted-save-card")
    page.get_by_role("button", name="Save card").click()
    page.wait_for_url(re.compile(r"/account"))
    top_up = page.get_by_test_id("auto-top-up")
    expect(top_up.get_by_test_id("card-arrival")).to_contain_text("Card saved", timeout=WEBHOOK_TIMEOUT_MS)
    expect(top_up.get_by_test_id("saved-card")).to_contain_text("ending in")
    expect(top_up.get_by_role("button", name="Change card")).to_be_visible()

    top_up.get_by_role("switch", name="Top up automatically").check()
    top_up.get_by_label("When credits fall below").fill("950")
    top_up.get_by_label("Pack to buy").select_option("Basic")
    top_up.get_by_label("Top-ups a month, at most").fill("2")
    top_up.get_by_role("button", name="Save auto top-up").click()
    expect(top_up.get_by_role("status").filter(has_text="Auto top-up saved.")).to_be_visible()
    expect(top_up.get_by_test_id("auto-top-up-status")).to_have_text("On")
    page.reload()
    someone.account()
    top_up = page.get_by_test_id("auto-top-up")
    expect(top_up.get_by_role("switch", name="Top up automatically")).to_be_checked()
    expect(top_up.get_by_label("When credits fall below")).to_have_value("950")
    expect(top_up.get_by_label("Top-ups a month, at most")).to_have_value("2")
    expect(top_up.get_by_test_id("top-ups-this-month")).to_have_text("0 of 2 top-ups")
    someone.shot("auto-top-up-on")
    assert someone.serious_accessibility_violations() == []


def test_an_alert_crossed_by_metered_calls_arrives_in_the_local_inbox(someone, stack):
    """The whole path a customer sees: an alert set on the account page, a
    metered call that crosses it, and the email in make dev's inbox — one,
    with the text and the HTML parts."""
    if not has_route(stack, "/alerts"):
        pytest.skip("this server has no /alerts yet")
    page = someone.page
    alert = page.get_by_test_id("low-balance-alert")
    alert.get_by_label("A threshold of my own").check()
    alert.get_by_label("Threshold in credits").fill("49")
    alert.get_by_role("button", name="Save alert").click()
    expect(alert.get_by_role("status")).to_have_text("Alert saved.")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=someone.url)
    key, _ = someone.create_key("inbox-walk")
    for _ in range(3):  # 50 → 47: the second call takes the balance below 49
        assert requests.post(stack["api_url"] + "/test", headers={"x-api-key": key}, timeout=10).status_code == 200

    inbox = page.context.new_page()
    inbox.goto(stack["inbox_url"])
    row = inbox.get_by_role("row").filter(has_text=someone.email)
    expect(row.filter(has_text=re.compile("running low", re.I))).to_have_count(1, timeout=WEBHOOK_TIMEOUT_MS)
    someone.shots.count += 1
    inbox.screenshot(path=os.path.join(SCREENSHOTS, "%s-%02d-inbox.png" % (someone.shots.prefix, someone.shots.count)),
                     full_page=True)
    row.get_by_role("link").click()
    expect(inbox.get_by_role("heading", level=1)).to_contain_text(re.compile("running low", re.I))
    expect(inbox.locator("body")).to_contain_text("49")
    someone.shots.count += 1
    inbox.screenshot(path=os.path.join(SCREENSHOTS, "%s-%02d-email.png" % (someone.shots.prefix, someone.shots.count)),
                     full_page=True)
    messages = requests.get(stack["inbox_url"] + "/messages", timeout=10).json()["messages"]
    mine = [m for m in messages if someone.email in m["to"] and "running low" in m["subject"].lower()]
    assert len(mine) == 1 and mine[0]["text"] and mine[0]["html"]
