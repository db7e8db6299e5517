"""Email templates (chalicelib/notices/templates.py): every kind renders a
text and an HTML part with the product's name, a clear subject and a footer
saying why it was sent; optional kinds say how to turn them off and carry
List-Unsubscribe, payment and security emails do not."""
import pytest

from chalicelib.notices import templates
from chalicelib.notices.outbox import item_key

PRODUCT = "Credits"
ACCOUNT = "https://app.example.com/account"
SETTINGS = ACCOUNT + "#notifications"
SAMPLE = {"plan": "Basic", "amount": "£5.00", "action_url": "https://pay.example.com/i/in_1", "owed": 120,
          "balance": -120, "taken_by": "A refund of £5.00 for the Basic pack", "reason": "Unusual traffic",
          "credits": 1000, "threshold": 100, "pack": "Basic", "count": 1, "limit": 2, "month": "December 2026",
          "failures": 3, "inviter": "ada@example.com", "org": "Acme", "role": "developer",
          "invite_url": "https://app.example.com/invite?token=t"}
NOW = ("renewal_failed", "renewal_action_required", "credits_owed", "account_suspended", "account_unsuspended")
LATER = ("low_balance", "credits_used_up", "top_up_succeeded", "top_up_failed", "top_up_action_required",
         "top_up_limit_reached", "top_up_turned_off", "invitation", "account_deleted")


def render(kind, **changes):
    values = {name: SAMPLE[name] for name in templates.template(kind).needs}
    values.update(changes)
    return templates.render(kind, values, PRODUCT, ACCOUNT, SETTINGS)


def test_every_kind_of_this_part_and_the_next_is_declared():
    assert set(templates.KINDS) == set(NOW + LATER)


def test_only_balance_alerts_can_be_turned_off_and_under_low_balance():
    optional = {kind: templates.template(kind).preference for kind in templates.KINDS
                if templates.template(kind).optional}
    assert optional == {"low_balance": "low_balance", "credits_used_up": "low_balance"}
    assert set(templates.PREFERENCES) == {"low_balance", "product_updates"}


@pytest.mark.parametrize("kind", NOW + LATER)
def test_each_kind_renders_text_and_html_with_the_product_and_why(kind):
    message = render(kind)
    assert message.subject.startswith(PRODUCT + ": ") and "{" not in message.subject
    for body in (message.text, message.html):
        assert PRODUCT in body
        assert "You get this email because" in body
        assert "{" not in body.replace("{margin", "")  # every field filled (CSS aside)
    assert message.html.startswith("<!doctype html>") and '<html lang="en">' in message.html
    assert message.text.endswith("\n") and "<" not in message.text


@pytest.mark.parametrize("kind", NOW + LATER)
def test_optional_kinds_say_how_to_turn_them_off_and_carry_list_unsubscribe(kind):
    message = render(kind)
    if templates.template(kind).optional:
        assert message.headers == {"List-Unsubscribe": "<%s>" % SETTINGS}
        assert "Turn them off" in message.text and SETTINGS in message.text
        assert 'href="%s"' % SETTINGS in message.html
    else:
        assert message.headers == {}
        assert "always sent" in message.text and SETTINGS not in message.text


def test_a_renewal_that_needs_the_customer_links_to_the_invoice():
    message = render("renewal_action_required")
    assert "Confirm the payment: https://pay.example.com/i/in_1" in message.text
    assert 'href="https://pay.example.com/i/in_1"' in message.html
    assert message.subject == "Credits: Confirm the payment for your Basic renewal"


def test_values_are_escaped_in_html_and_only_web_links_are_linked():
    message = render("account_suspended", reason='<script>alert("x")</script>')
    assert "<script>" not in message.html and "&lt;script&gt;" in message.html
    assert '<script>alert("x")</script>' in message.text
    odd = render("renewal_failed", action_url="javascript:alert(1)")
    assert "javascript:" not in odd.html and "javascript:" not in odd.text
    assert "Pay the invoice: %s" % ACCOUNT in odd.text


def test_numbers_are_shown_with_separators():
    assert render("credits_owed", owed=12000, balance=-12000).subject == "Credits: Your account owes 12,000 credits"


def test_a_missing_value_or_an_unknown_kind_is_a_programming_error():
    with pytest.raises(templates.MissingValue, match="needs amount"):
        templates.render("renewal_failed", {"plan": "Basic", "action_url": "https://x"}, PRODUCT, ACCOUNT, SETTINGS)
    with pytest.raises(templates.MissingValue, match="unknown email kind"):
        templates.check("no_such_kind", {})


def test_alternatives_for_one_cause_share_its_key():
    assert item_key("renewal_failed", "in_1") == item_key("renewal_action_required", "in_1") == "email:renewal:in_1"
    assert item_key("top_up_failed", "pi_1") == item_key("top_up_action_required", "pi_1")
    assert item_key("credits_owed", "re_1") == "email:credits_owed:re_1"
    assert item_key("account_suspended", "a#1") != item_key("account_unsuspended", "a#1")
