"""Reading Stripe's objects as the pinned API version shapes them (an invoice
names its subscription under `parent`, a line its price under `pricing`), for
the webhook and for refunds and disputes, which look back at what a payment
bought."""


class MalformedEvent(Exception):
    pass


def as_dict(obj):
    """A Stripe SDK object as a plain dict (the handlers read plain dicts)."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def money(amount, currency):
    symbols = {"gbp": "£", "usd": "$", "eur": "€"}
    symbol = symbols.get((currency or "").lower())
    text = "%d.%02d" % (int(amount) // 100, int(amount) % 100)
    return symbol + text if symbol else "%s %s" % (text, (currency or "").upper())


def _subscription_details(invoice):
    """Since API version 2025-03-31.basil an invoice names its subscription (and
    that subscription's metadata) only under `parent`; empty for other invoices."""
    return (invoice.get("parent") or {}).get("subscription_details") or {}


def invoice_subscription(invoice):
    subscription = _subscription_details(invoice).get("subscription")
    return subscription.get("id") if isinstance(subscription, dict) else subscription


def invoice_metadata(invoice):
    return _subscription_details(invoice).get("metadata") or {}


def first_line(invoice):
    """The line billing the subscription's price (not a proration credit for
    the old price of a switch), with `price` set from `pricing.price_details`
    (a line has no `price` of its own since 2025-03-31.basil): an id, or the
    price itself when expanded."""
    lines = ((invoice.get("lines") or {}).get("data")) or []
    if not lines:
        raise MalformedEvent("invoice %s has no lines" % invoice.get("id"))
    billed = [line for line in lines if not _is_proration(line)] or lines
    line = dict(billed[0])
    price = ((line.get("pricing") or {}).get("price_details") or {}).get("price")
    line["price"] = {"id": price} if isinstance(price, str) else price
    return line


def _is_proration(line):
    parent = line.get("parent") or {}
    details = parent.get("subscription_item_details") or parent.get("invoice_item_details") or {}
    return bool(details.get("proration"))


def stripe_id(value):
    """An expandable field's id, expanded or not."""
    return value.get("id") if isinstance(value, dict) else value


def scheduled_change(subscription, plans):
    """(plan, when) of the change a subscription's schedule makes at its
    period's end, from the subscription with `schedule` expanded; else None."""
    schedule = subscription.get("schedule")
    if not isinstance(schedule, dict) or schedule.get("status") != "active":
        return None
    items = ((subscription.get("items") or {}).get("data")) or []
    if not items:
        return None
    end = items[0].get("current_period_end")
    for phase in schedule.get("phases") or []:
        if phase.get("start_date") == end and phase.get("items"):
            product = plans.for_price({"id": stripe_id(phase["items"][0].get("price"))})
            if product is not None:
                return product.name, int(end)
    return None
