"""The billing portal session and its hosted page (portal.py, pages.py)."""
import requests

from sandbox.sandbox_support import make_price, subscribe


def test_billing_portal_cancel_and_switch(sandbox, client):
    pro = make_price(client, name="Pro", amount=1500)
    customer, sub = subscribe(client, sandbox)
    portal = client.v1.billing_portal.sessions.create(params={
        "customer": customer.id, "return_url": "http://app.test/account"})
    assert portal.object == "billing_portal.session" and portal.id.startswith("bps_")
    assert portal.url == f"{sandbox.url}/billing_portal/{portal.id}"

    page = requests.get(portal.url, timeout=5)
    assert page.status_code == 200 and "Cancel subscription" in page.text
    assert f'value="{pro.id}"' in page.text and "£15.00" in page.text

    switched = requests.post(portal.url, data={"action": "switch", "subscription": sub.id,
                                               "price": pro.id},
                             allow_redirects=False, timeout=5)
    assert switched.status_code == 303 and switched.headers["Location"] == "http://app.test/account"
    # An upgrade: at once, one prorated invoice paid now, a new period from now.
    updated, paid = sandbox.events()[-2:]
    assert (updated["type"], paid["type"]) == ("customer.subscription.updated", "invoice.paid")
    invoice = paid["data"]["object"]
    assert invoice["billing_reason"] == "subscription_update"
    assert [line["amount"] for line in invoice["lines"]["data"]] == [1500, -500]
    assert invoice["amount_paid"] == 1000
    switched_sub = client.v1.subscriptions.retrieve(sub.id)
    assert switched_sub["items"].data[0].price.id == pro.id
    assert invoice["lines"]["data"][0]["period"]["start"] == switched_sub.billing_cycle_anchor

    canceled = requests.post(portal.url, data={"action": "cancel", "subscription": sub.id},
                             allow_redirects=False, timeout=5)
    assert canceled.status_code == 303
    assert sandbox.events()[-1]["type"] == "customer.subscription.deleted"
    assert client.v1.subscriptions.retrieve(sub.id).status == "canceled"
    assert "No active subscriptions" in requests.get(portal.url, timeout=5).text
