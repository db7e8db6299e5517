"""The Python client (clients/python) against the stack `make dev` runs
(scripts/dev.py on free ports, its own state; one stack for the module), as
a customer would use it: a metered call whose answer is lost on the way
back is retried with the same Idempotency-Key and charged once; a 429 is
waited out as `Retry-After` says; a 402 and a revoked key are typed errors
with the API's figures; the async client does the same; the account client
acts for a team organisation with `X-Org-Id`; the README's example runs."""
import asyncio
import os
import re
import uuid

import httpx
import pytest

import credits_saas
from credits_saas import (
    AccountClient, AsyncAccountClient, AsyncClient, Client, InsufficientCredits, InvalidApiKey)
from scripts import ROOT
from scripts.devstack.demo import sign_in, sign_up

FREE_CREDITS = 50


@pytest.fixture(scope="module")
def stack(shared_dev_stack):
    return shared_dev_stack


@pytest.fixture(scope="module")
def api_url(stack):
    return stack.config["api_url"]


def new_customer(stack):
    email = "client-%s@example.com" % uuid.uuid4().hex[:10]
    sign_up(stack.config, email)
    return sign_in(stack.config, email)


@pytest.fixture(scope="module")
def customer(stack):
    return new_customer(stack)


@pytest.fixture(scope="module")
def account(customer, api_url):
    with AccountClient(id_token=customer, base_url=api_url) as client:
        yield client


class Recorder(httpx.BaseTransport):
    """Sends every request on; remembers each one's Idempotency-Key and
    status; the first `drop` answers are thrown away after the API gave
    them, as a connection reset on the way back would."""

    def __init__(self, drop=0):
        self.inner = httpx.HTTPTransport()
        self.drop = drop
        self.sent = []

    def handle_request(self, request):
        response = self.inner.handle_request(request)
        response.read()
        self.sent.append((request.headers.get("Idempotency-Key"), response.status_code))
        if self.drop:
            self.drop -= 1
            response.close()
            raise httpx.RemoteProtocolError("connection closed before the answer arrived", request=request)
        return response


class AsyncRecorder(httpx.AsyncBaseTransport):
    def __init__(self, drop=0):
        self.inner = httpx.AsyncHTTPTransport()
        self.drop = drop
        self.sent = []

    async def handle_async_request(self, request):
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.sent.append((request.headers.get("Idempotency-Key"), response.status_code))
        if self.drop:
            self.drop -= 1
            await response.aclose()
            raise httpx.RemoteProtocolError("connection closed before the answer arrived", request=request)
        return response


def no_wait(waits):
    return waits.append


def credits_of(account):
    return account.user().credits_


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_dropped_answer_retried_8_times_is_charged_once(account, api_url, flavour):
    key = account.create_key("drops-" + flavour).key
    before = credits_of(account)
    waits = []
    if flavour == "sync":
        transport = Recorder(drop=8)
        with Client(api_key=key, base_url=api_url, max_retries=8, transport=transport, sleep=no_wait(waits)) as c:
            result = c.call("/test")
    else:
        transport = AsyncRecorder(drop=8)

        async def call():
            async with AsyncClient(api_key=key, base_url=api_url, max_retries=8, transport=transport,
                                   sleep=no_wait(waits)) as c:
                return await c.call("/test")
        result = run(call())

    assert len(transport.sent) == 9 and len(waits) == 8
    assert {sent_key for sent_key, _ in transport.sent} == {result.idempotency_key}
    assert [status for _, status in transport.sent] == [200] * 9
    assert (result.attempts, result.replayed, result.cost) == (9, True, 1)
    assert result.remaining == before - 1 == credits_of(account)
    spent_today = account.usage(days=1)[-1].credits_
    assert spent_today >= 1


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_429_is_waited_out_as_retry_after_says_then_succeeds(account, api_url, flavour):
    key = account.create_key("limited-" + flavour, rate_limit={"requests": 1, "per": "second"}).key
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        import time
        time.sleep(seconds)

    async def async_sleep(seconds):
        waits.append(seconds)
        await asyncio.sleep(seconds)

    import time

    for _ in range(3):  # the two calls must fall in one window of the limit
        time.sleep(1.02 - time.time() % 1)  # start just after a window opens: nothing of the last one counts
        waits.clear()
        if flavour == "sync":
            transport = Recorder()
            with Client(api_key=key, base_url=api_url, transport=transport, sleep=sleep) as c:
                c.call("/test")
                result = c.call("/test")
        else:
            transport = AsyncRecorder()

            async def calls():
                async with AsyncClient(api_key=key, base_url=api_url, transport=transport, sleep=async_sleep) as c:
                    await c.call("/test")
                    return await c.call("/test")
            result = run(calls())
        if any(status == 429 for _, status in transport.sent):
            break
    statuses = [status for _, status in transport.sent]
    assert statuses == [200, 429, 200], statuses
    assert waits == [1.0]  # the API's Retry-After for a window of one second
    assert transport.sent[1][0] == transport.sent[2][0] == result.idempotency_key
    assert (result.attempts, result.replayed) == (2, False)


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_out_of_credits_is_insufficient_credits_with_the_figures(stack, api_url, flavour):
    account = AccountClient(id_token=new_customer(stack), base_url=api_url)
    key = account.create_key("spender").key
    calls = FREE_CREDITS // 5 + 1  # /test/heavy costs 5: the last one is refused
    if flavour == "sync":
        transport = Recorder()
        client = Client(api_key=key, base_url=api_url, transport=transport)
        remaining = [client.call("/test/heavy").remaining for _ in range(calls - 1)]
        with pytest.raises(InsufficientCredits) as refused:
            client.call("/test/heavy")
    else:
        transport = AsyncRecorder()

        async def spend():
            async with AsyncClient(api_key=key, base_url=api_url, transport=transport) as client:
                spent = [(await client.call("/test/heavy")).remaining for _ in range(calls - 1)]
                with pytest.raises(InsufficientCredits) as refusal:
                    await client.call("/test/heavy")
                return spent, refusal
        remaining, refused = run(spend())
    assert remaining[-1] == 0
    assert (refused.value.required, refused.value.remaining) == (5, 0)
    assert (refused.value.status, refused.value.code) == (402, "insufficient_credits")
    assert [status for _, status in transport.sent] == [200] * (calls - 1) + [402]  # not retried


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_a_revoked_key_is_invalid_api_key_and_not_retried(account, customer, api_url, flavour):
    if flavour == "sync":
        created = account.create_key("revoked-sync")
        account.revoke_key(created.id)
        transport = Recorder()
        with pytest.raises(InvalidApiKey) as refused:
            Client(api_key=created.key, base_url=api_url, transport=transport).call("/test")
    else:
        transport = AsyncRecorder()

        async def revoke_and_call():
            async with AsyncAccountClient(id_token=customer, base_url=api_url) as owner:
                created = await owner.create_key("revoked-async")
                await owner.revoke_key(created.id)
                assert created.id not in [key.id for key in await owner.keys()]
            await AsyncClient(api_key=created.key, base_url=api_url, transport=transport).call("/test")

        with pytest.raises(InvalidApiKey) as refused:
            run(revoke_and_call())
    assert (refused.value.status, refused.value.code) == (401, "invalid_api_key")
    assert len(transport.sent) == 1


def test_the_account_client_acts_for_a_team_with_x_org_id(account, customer, api_url):
    import requests

    acme = requests.post(api_url + "/orgs", json={"name": "Acme"}, timeout=10,
                         headers={"Authorization": "Bearer " + customer}).json()["org"]["id"]
    team = AccountClient(id_token=customer, base_url=api_url, org_id=acme)
    created = team.create_key("acme-ci", rate_limit={"requests": 5, "per": "minute"})
    assert [key.name for key in team.keys()] == ["acme-ci"]
    assert created.id not in [key.id for key in account.keys()]
    assert team.update_key(created.id, name="acme-deploy", rate_limit=None).name == "acme-deploy"
    with pytest.raises(InsufficientCredits) as refused:  # a team starts with 0 credits: its wallet pays
        Client(api_key=created.key, base_url=api_url).call("/test")
    assert (refused.value.required, refused.value.remaining) == (1, 0)
    assert team.user().credits_ == 0 and team.ledger_page().entries == []
    kinds = [entry.kind for entry in account.ledger(limit=1)]  # one entry a page, every page
    assert kinds[-1] == "signup"
    with pytest.raises(credits_saas.ApiError) as refused:
        AccountClient(id_token=customer, base_url=api_url, org_id="no-such-org").keys()
    assert (refused.value.status, refused.value.code) == (404, "org_not_found")


def test_the_readme_example_spends_one_credit(account, api_url, monkeypatch):
    with open(os.path.join(ROOT, "clients", "python", "README.md")) as handle:
        example = re.search(r"```python\n(.*?)```", handle.read(), re.S).group(1)
    key = account.create_key("readme").key
    before = credits_of(account)
    monkeypatch.setenv("CREDITS_API_KEY", key)
    monkeypatch.setenv("CREDITS_API_URL", api_url)
    exec(compile(example, "README.md", "exec"), {})
    assert credits_of(account) == before - 1


def test_the_account_client_lists_the_invoices_of_a_purchase(stack, api_url):
    import time

    import requests
    from scripts.devstack.demo import sandbox_post

    token = new_customer(stack)
    buyer = AccountClient(id_token=token, base_url=api_url)
    assert list(buyer.invoices()) == []
    session = requests.post(api_url + "/checkout", json={"plan": "Basic", "subscribe": False}, timeout=10,
                            headers={"Authorization": "Bearer " + token}).json()
    sandbox_post(stack.config, "/_sandbox/checkout/%s/complete" % session["session_id"], data={"country": "GB"})
    deadline = time.monotonic() + 20
    while not list(buyer.invoices()) and time.monotonic() < deadline:
        time.sleep(0.25)
    [invoice] = list(buyer.invoices(limit=1))
    assert (invoice.total, invoice.tax, invoice.status.value, invoice.currency) == (500, 83, "paid", "gbp")
    assert invoice.pdf_url.startswith(stack.config["stripe_api_base"])
