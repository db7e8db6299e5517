"""Metering over real HTTP (`chalice local` in-process): atomic under load."""
import concurrent.futures

import requests

from chalicelib.platform.models import Account


def test_200_concurrent_calls_on_50_credits_spend_exactly_50(api_url, client, user, api_key):
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=32, pool_maxsize=32)
    session.mount("http://", adapter)

    def hit(_):
        response = session.post(api_url + "/test", headers={"x-api-key": api_key}, timeout=30)
        return response.status_code, response.json()

    with concurrent.futures.ThreadPoolExecutor(32) as pool:
        results = list(pool.map(hit, range(200)))
    statuses = [status for status, _ in results]
    assert statuses.count(200) == 50
    assert statuses.count(402) == 150
    assert sorted(body["credits"] for status, body in results if status == 200) == list(range(50))
    account = Account.get(user.id, consistent_read=True)
    assert int(account.credits) == 0
    assert sum(account.usage.as_dict().values()) == 50


def test_http_errors_are_json_with_cors(api_url):
    response = requests.post(api_url + "/test", headers={"Origin": "http://localhost:5173"}, timeout=10)
    assert response.status_code == 401
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"


def test_preflight_names_only_the_frontend_origin(api_url):
    response = requests.options(api_url + "/user", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}, timeout=10)
    assert response.headers.get("Access-Control-Allow-Origin") == "http://localhost:5173"
