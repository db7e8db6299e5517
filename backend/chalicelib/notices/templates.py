"""Every email the product sends, by kind: a subject, paragraphs, an
optional call to action and a footer saying why the customer got it (and,
for the optional kinds, how to turn them off), rendered as a text part and an
HTML part.

A kind is one of four categories. `payment` and `security` emails always go
(a failed renewal, a debt, a suspension: the customer must know);
`alerts` (the balance running low or out) and `product_updates` are
optional, each under the preference of the same name in `/notifications`
(`low_balance` covers both balance alerts), and carry `List-Unsubscribe`.

Kinds that are alternatives for one cause share a `topic`, which names the
outbox item: a renewal that failed *or* needs the customer is one email per
invoice, whichever Stripe reports first.

Values come from the code that records the cause (numbers of credits as
integers, money already formatted, URLs); each template names the values it
needs, and rendering without one is a programming error (`MissingValue`).
"""
import html
import string

PAYMENT, SECURITY, ALERTS, PRODUCT_UPDATES = "payment", "security", "alerts", "product_updates"
# The /notifications preference that governs each optional category.
PREFERENCE_OF = {ALERTS: "low_balance", PRODUCT_UPDATES: "product_updates"}
PREFERENCES = ("low_balance", "product_updates")


class MissingValue(ValueError):
    """A template was recorded or rendered without a value it needs."""


class Template:
    def __init__(self, kind, category, subject, paragraphs, action=None, topic=None, why=None):
        self.kind = kind
        self.why = why  # the footer's reason, where the category's does not fit
        self.category = category
        self.subject = subject
        self.paragraphs = tuple(paragraphs)
        self.action = action  # (label, name of the URL value) or None
        self.topic = topic or kind

    @property
    def preference(self):
        """The `/notifications` setting that turns this kind off; None: always sent."""
        return PREFERENCE_OF.get(self.category)

    @property
    def optional(self):
        return self.preference is not None

    @property
    def needs(self):
        """The values this template reads (besides the product's own)."""
        names = set()
        for text in (self.subject,) + self.paragraphs:
            names |= {field for _, field, _, _ in string.Formatter().parse(text) if field}
        if self.action:
            names.add(self.action[1])
        return names - set(CONTEXT)


# Values every template may use, filled in at render time.
CONTEXT = ("product", "account_url", "settings_url")


TEMPLATES = {template.kind: template for template in (
    # Payments: a renewal -------------------------------------------------------
    Template("renewal_failed", PAYMENT, "Your {plan} renewal payment failed", (
        "We could not take the payment of {amount} for the next period of your {plan} plan.",
        "Until the invoice is paid your subscription is past due and its plan credits are not "
        "renewed. Pay it on its page, with another card if needed.",
    ), action=("Pay the invoice", "action_url"), topic="renewal"),
    Template("renewal_action_required", PAYMENT, "Confirm the payment for your {plan} renewal", (
        "Your bank asks you to confirm the payment of {amount} for the next period of your {plan} plan.",
        "Until you confirm it your subscription is past due and its plan credits are not renewed.",
    ), action=("Confirm the payment", "action_url"), topic="renewal"),
    # Payments: money after the sale -------------------------------------------
    Template("credits_owed", PAYMENT, "Your account owes {owed} credits", (
        "{taken_by} took back credits that had already been spent, so your balance is {balance} credits: "
        "your account owes {owed} credits.",
        "API calls are refused (402) until the balance is above zero again. Buying a pack pays the debt "
        "first; otherwise your next plan period or Free refill pays it.",
    ), action=("Open your account", "account_url")),
    # Security: the account ------------------------------------------------------
    Template("account_suspended", SECURITY, "Your {product} account is suspended", (
        "Our team suspended your account. Calls with your API keys are refused (403) until the "
        "suspension is lifted.",
        "The reason given: {reason}",
        "If you think this is a mistake, contact support from your account page.",
    ), action=("Open your account", "account_url")),
    Template("account_unsuspended", SECURITY, "Your {product} account is active again", (
        "Our team lifted the suspension of your account: your API keys work again.",
    ), action=("Open your account", "account_url")),
    Template("invitation", SECURITY, "{inviter} invited you to {org} on {product}", (
        "{inviter} invited you to join the organisation {org} on {product} as {role}.",
        "The link works once and expires in 7 days. Sign in (or sign up) with this email address to accept; "
        "if you did not expect this, ignore this email.",
    ), action=("Accept the invitation", "invite_url"),
        why="You get this email because {inviter} entered this address to invite you to {org}; "
            "invitations are always sent, and nothing more follows unless you accept."),
    Template("account_deleted", SECURITY, "Your {product} account is deleted", (
        "As you asked, we deleted your account: your subscriptions are cancelled, your API keys no longer "
        "work, you left your organisations, and your email address is erased from our records.",
        "We keep the amounts and dates of your payments and credits, without your name or address, because "
        "bookkeeping law requires it. This is the last email we send you.",
    ), why="You get this email because your {product} account was deleted; it goes to the address we are "
           "about to erase, and it is always sent."),
    # Alerts (optional: `low_balance`) ------------------------------------------
    Template("low_balance", ALERTS, "Your credits are running low: {credits} left", (
        "Your balance fell below your alert threshold of {threshold} credits: {credits} credits are left.",
        "Buy a pack, switch plan or turn on automatic top-up so that your API calls keep working.",
    ), action=("Add credits", "account_url")),
    Template("credits_used_up", ALERTS, "You have used up your credits", (
        "An API call was refused (402): your balance of {credits} credits does not cover it.",
        "Buy a pack or switch plan to carry on; plan credits also come back when your next period starts.",
    ), action=("Add credits", "account_url")),
    # Payments: automatic top-up ------------------------------------------------
    Template("top_up_succeeded", PAYMENT, "Automatic top-up: {credits} credits added", (
        "Your balance fell below {threshold} credits, so we charged your saved card {amount} for a "
        "{pack} pack: {credits} purchased credits were added.",
        "Automatic top-ups this month: {count} of {limit}.",
    ), action=("Open your account", "account_url")),
    Template("top_up_failed", PAYMENT, "Automatic top-up failed", (
        "We could not charge your saved card {amount} for a {pack} pack: {reason}.",
        "We will try again the next time your balance falls below {threshold} credits. After 3 failures "
        "in a row automatic top-up turns itself off.",
    ), action=("Update your card", "account_url"), topic="top_up_payment"),
    Template("top_up_action_required", PAYMENT, "Confirm your automatic top-up payment", (
        "Your bank asks you to confirm the payment of {amount} for a {pack} pack.",
        "Automatic top-up is paused until you do; confirming it adds the credits.",
    ), action=("Confirm the payment", "action_url"), topic="top_up_payment"),
    Template("top_up_limit_reached", PAYMENT, "Automatic top-up limit reached for {month}", (
        "Your account has had {limit} automatic top-ups this month, the limit you set, so no more will "
        "be made until next month.",
        "You can raise the limit on your account page.",
    ), action=("Open your account", "account_url")),
    Template("top_up_turned_off", PAYMENT, "Automatic top-up is off", (
        "{failures} automatic top-ups in a row failed, so we turned automatic top-up off.",
        "Update your card and turn it on again on your account page.",
    ), action=("Open your account", "account_url")),
)}

KINDS = tuple(TEMPLATES)

WHY = {
    PAYMENT: "You get this email because it is about a payment for your {product} account; payment "
             "emails are always sent.",
    SECURITY: "You get this email because it is about your {product} account's access; account emails "
              "are always sent.",
    ALERTS: "You get this email because balance alerts are on for your {product} account.",
    PRODUCT_UPDATES: "You get this email because product updates are on for your {product} account.",
}
TURN_OFF = "Turn them off in your notification settings: {settings_url}"


def template(kind):
    try:
        return TEMPLATES[kind]
    except KeyError:
        raise MissingValue("unknown email kind %r (chalicelib.notices.templates.TEMPLATES)" % kind)


def check(kind, values):
    """Raises MissingValue unless `values` has everything `kind` needs."""
    missing = template(kind).needs - set(values)
    if missing:
        raise MissingValue("%s needs %s" % (kind, ", ".join(sorted(missing))))


class Message:
    """A rendered email: subject, text and HTML bodies, extra headers."""

    def __init__(self, kind, subject, text, html_body, headers):
        self.kind, self.subject, self.text, self.html, self.headers = kind, subject, text, html_body, headers


def _shown(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)) and float(value).is_integer():
        return "{:,}".format(int(value))
    return str(value)


def _safe_url(value, fallback):
    """Only http(s) links go into an email; anything else becomes `fallback`."""
    text = str(value or "")
    return text if text.startswith(("https://", "http://")) else fallback


def render(kind, values, product, account_url, settings_url):
    """The email for `kind` with `values` (plus the product's name and links)."""
    spec = template(kind)
    check(kind, values)
    shown = {name: _shown(value) for name, value in values.items()}
    shown.update(product=product, account_url=account_url, settings_url=settings_url)
    subject = "%s: %s" % (product, spec.subject.format(**shown))
    paragraphs = [paragraph.format(**shown) for paragraph in spec.paragraphs]
    action = None
    if spec.action:
        label, name = spec.action
        action = (label, _safe_url(shown.get(name), account_url))
    footer = [(spec.why or WHY[spec.category]).format(**shown)]
    if spec.optional:
        footer.append(TURN_OFF.format(**shown))
    headers = {}
    if spec.optional:
        headers["List-Unsubscribe"] = "<%s>" % settings_url
    return Message(kind, subject, _text(paragraphs, action, footer, product),
                   _html(subject, paragraphs, action, footer, product), headers)


def _text(paragraphs, action, footer, product):
    parts = list(paragraphs)
    if action:
        parts.append("%s: %s" % action)
    parts.append("-- \n%s\n%s" % (product, "\n".join(footer)))
    return "\n\n".join(parts) + "\n"


def _html(subject, paragraphs, action, footer, product):
    escape = html.escape
    body = ["<p style=\"margin:0 0 16px\">%s</p>" % escape(paragraph) for paragraph in paragraphs]
    if action:
        body.append("<p style=\"margin:24px 0\"><a href=\"%s\" style=\"background:#1d4ed8;color:#ffffff;"
                    "padding:10px 16px;border-radius:6px;text-decoration:none;display:inline-block\">%s</a></p>"
                    % (escape(action[1], quote=True), escape(action[0])))
    notes = "".join("<p style=\"margin:0 0 8px\">%s</p>" % _linked(escape(line)) for line in footer)
    return (
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s</title></head>\n"
        "<body style=\"margin:0;padding:24px;background:#f4f4f5;font-family:-apple-system,Segoe UI,Roboto,"
        "sans-serif;color:#18181b\">\n<div style=\"max-width:560px;margin:0 auto;background:#ffffff;"
        "border-radius:8px;padding:24px\">\n<p style=\"margin:0 0 16px;font-weight:600\">%s</p>\n%s\n"
        "<hr style=\"border:none;border-top:1px solid #e4e4e7;margin:24px 0 16px\">\n"
        "<div style=\"font-size:13px;color:#52525b\">%s</div>\n</div>\n</body></html>\n"
        % (escape(subject), escape(product), "\n".join(body), notes))


def _linked(escaped_line):
    """The footer's settings link, clickable (the line is already escaped)."""
    words = escaped_line.split(" ")
    return " ".join('<a href="%s" style="color:#1d4ed8">%s</a>' % (word, word)
                    if word.startswith(("https://", "http://")) else word for word in words)
