"""Customers, products and prices, lists and pagination, in both SDK styles
(catalog.py, store.py)."""
import pytest
import stripe

from sandbox.sandbox_support import make_price


def test_customer_round_trip(client):
    customer = client.v1.customers.create(params={
        "email": "ada@example.com", "name": "Ada", "metadata": {"user_id": "u1", "tier": "x"}})
    assert customer.id.startswith("cus_") and customer.object == "customer"
    assert customer.livemode is False and isinstance(customer.created, int)
    assert customer.metadata.to_dict() == {"user_id": "u1", "tier": "x"}
    assert client.v1.customers.retrieve(customer.id).email == "ada@example.com"

    updated = client.v1.customers.update(customer.id, params={
        "name": "Ada L", "metadata": {"tier": "", "team": "core"}})
    assert updated.name == "Ada L"
    assert updated.metadata.to_dict() == {"user_id": "u1", "team": "core"}

    client.v1.customers.create(params={"email": "bob@example.com"})
    listed = client.v1.customers.list(params={"email": "ada@example.com"})
    assert [c.id for c in listed.data] == [customer.id]
    assert listed.object == "list" and listed.url == "/v1/customers" and not listed.has_more

    assert client.v1.customers.delete(customer.id).deleted is True
    assert client.v1.customers.retrieve(customer.id).deleted is True
    assert customer.id not in [c.id for c in client.v1.customers.list().data]


def test_products_round_trip(client):
    product = client.v1.products.create(params={"id": "pro_plan", "name": "Pro",
                                                "metadata": {"features": "all"}})
    assert product.id == "pro_plan" and product.active is True
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.products.create(params={"id": "pro_plan", "name": "Again"})
    assert exc.value.code == "resource_already_exists"

    other = client.v1.products.create(params={"name": "Basic"})
    updated = client.v1.products.update(product.id, params={"name": "Pro+", "active": False})
    assert (updated.name, updated.active) == ("Pro+", False)
    assert client.v1.products.retrieve(product.id).name == "Pro+"
    assert [p.id for p in client.v1.products.list(params={"active": False}).data] == [product.id]
    assert [p.id for p in client.v1.products.list(params={"active": True}).data] == [other.id]
    assert [p.id for p in client.v1.products.list(params={"ids": [other.id]}).data] == [other.id]


def test_price_fields_filters_and_expand(client):
    monthly = make_price(client, nickname="Monthly", metadata={"plan": "pro"},
                         lookup_key="pro_monthly")
    assert monthly.id.startswith("price_") and monthly.type == "recurring"
    assert (monthly.recurring.interval, monthly.recurring.interval_count) == ("month", 1)
    assert str(monthly.unit_amount_decimal) == "500" and monthly.lookup_key == "pro_monthly"
    one_time = make_price(client, name="Credits", interval=None, amount=1000)
    assert one_time.type == "one_time" and one_time.recurring is None
    archived = client.v1.prices.update(one_time.id, params={"active": False,
                                                             "metadata": {"old": "1"}})
    assert archived.active is False and archived.metadata.to_dict() == {"old": "1"}

    def ids(**params):
        return {p.id for p in client.v1.prices.list(params=params).data}

    assert ids(active=True) == {monthly.id}
    assert ids(type="one_time") == {one_time.id}
    assert ids(product=monthly.product) == {monthly.id}
    assert ids(lookup_keys=["pro_monthly", "missing"]) == {monthly.id}
    expanded = client.v1.prices.retrieve(monthly.id, params={"expand": ["product"]})
    assert expanded.product.name == "Pro"
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.prices.update(monthly.id, params={"unit_amount": 900})
    assert exc.value.code == "parameter_unknown"


def test_lookup_keys_are_unique_unless_transferred(client):
    old = make_price(client, lookup_key="pro_monthly")
    with pytest.raises(stripe.InvalidRequestError) as exc:
        make_price(client, amount=700, lookup_key="pro_monthly")
    assert exc.value.http_status == 400 and exc.value.param == "lookup_key"
    assert old.id in str(exc.value)
    assert len(client.v1.prices.list().data) == 1  # the failed create left nothing behind

    new = make_price(client, amount=700, lookup_key="pro_monthly", transfer_lookup_key=True)
    assert client.v1.prices.retrieve(old.id).lookup_key is None
    found = client.v1.prices.list(params={"lookup_keys": ["pro_monthly"]}).data
    assert [p.id for p in found] == [new.id]

    with pytest.raises(stripe.InvalidRequestError):
        client.v1.prices.update(old.id, params={"lookup_key": "pro_monthly"})
    moved = client.v1.prices.update(old.id, params={"lookup_key": "pro_monthly",
                                                    "transfer_lookup_key": True})
    assert moved.lookup_key == "pro_monthly"
    assert client.v1.prices.retrieve(new.id).lookup_key is None


def test_pagination_limit_cursor_and_auto_paging(client):
    created = [client.v1.customers.create(params={"name": f"c{i}"}).id for i in range(5)]
    newest_first = list(reversed(created))
    first = client.v1.customers.list(params={"limit": 2})
    assert [c.id for c in first.data] == newest_first[:2] and first.has_more
    second = client.v1.customers.list(params={"limit": 2, "starting_after": first.data[-1].id})
    assert [c.id for c in second.data] == newest_first[2:4] and second.has_more
    back = client.v1.customers.list(params={"limit": 2, "ending_before": second.data[0].id})
    assert [c.id for c in back.data] == newest_first[:2]
    assert [c.id for c in first.auto_paging_iter()] == newest_first
    assert len(client.v1.customers.list().data) == 5  # default limit is 10
    with pytest.raises(stripe.InvalidRequestError) as exc:
        client.v1.customers.list(params={"limit": 101})
    assert exc.value.param == "limit"

def test_legacy_global_sdk_style(legacy, sandbox):
    customer = legacy.Customer.create(email="legacy@example.com")
    product = legacy.Product.create(name="Team")
    price = legacy.Price.create(product=product.id, currency="usd", unit_amount=2500,
                                recurring={"interval": "year"}, lookup_key="team_yearly")
    assert legacy.Price.list(lookup_keys=["team_yearly"]).data[0].id == price.id
    session = legacy.checkout.Session.create(
        mode="subscription", customer=customer.id, line_items=[{"price": price.id,
                                                                "quantity": 3}],
        success_url="http://app.test/ok", subscription_data={"metadata": {"team": "t1"}})
    assert session.amount_total == 7500
    sandbox.complete_checkout(session.id)
    session = legacy.checkout.Session.retrieve(session.id, expand=["subscription"])
    sub = session.subscription
    assert sub.metadata.team == "t1" and sub["items"].data[0].quantity == 3
    modified = legacy.Subscription.modify(sub.id, metadata={"seats": "3"})
    assert modified.metadata.to_dict() == {"team": "t1", "seats": "3"}
    canceled = legacy.Subscription.cancel(sub.id)
    assert canceled.status == "canceled"
    assert legacy.Event.list(type="customer.subscription.deleted").data[0].data.object.id == sub.id
    assert legacy.Invoice.list(subscription=sub.id).data[0].amount_paid == 7500
