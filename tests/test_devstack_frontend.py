"""scripts/devstack/frontend.py: how `make dev` serves the frontend."""
import json
import os
import urllib.error
import urllib.request

import pytest

from scripts.devstack import frontend as dev_frontend
from scripts.devstack.frontend import FrontendError, StaticSite


@pytest.fixture
def dist(tmp_path):
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<div id=app></div>")
    (root / "assets" / "index-abc.js").write_text("console.log(1)")
    (root / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside")
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"apiUrl": "http://127.0.0.1:9"}))
    site = StaticSite("127.0.0.1", 0, str(config), root=str(root)).start()
    yield site
    site.stop()


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_routes_fall_back_to_the_app_and_files_are_served_as_they_are(dist):
    for route in ("/", "/pricing", "/checkout/success?session_id=cs_1", "/account/"):
        status, headers, body = get(dist.url + route)
        assert (status, body) == (200, "<div id=app></div>"), route
        assert headers["Content-Type"] == "text/html"
        assert headers["Cache-Control"] == "no-cache"
    status, headers, body = get(dist.url + "/assets/index-abc.js")
    assert (status, body) == (200, "console.log(1)")
    assert "javascript" in headers["Content-Type"] and "immutable" in headers["Cache-Control"]
    assert get(dist.url + "/favicon.svg")[0] == 200


def test_config_json_comes_from_the_stack_settings(dist):
    status, headers, body = get(dist.url + "/config.json")
    assert status == 200 and json.loads(body) == {"apiUrl": "http://127.0.0.1:9"}
    assert headers["Cache-Control"] == "no-store"


def test_missing_files_and_paths_outside_are_not_found(dist):
    assert get(dist.url + "/assets/gone-123.js")[0] == 404
    assert get(dist.url + "/robots.txt")[0] == 404
    status, _, body = get(dist.url + "/%2e%2e/secret.txt")
    assert status == 404 and "outside" not in body


def test_mode_follows_the_checkout_and_the_variable(tmp_path):
    assert dev_frontend.choose_mode({}, str(tmp_path)) == "off"
    (tmp_path / "package.json").write_text("{}")
    assert dev_frontend.choose_mode({}, str(tmp_path)) == "vite"
    assert dev_frontend.choose_mode({"DEV_FRONTEND": "off"}, str(tmp_path)) == "off"
    with pytest.raises(FrontendError, match="npm run build"):
        dev_frontend.choose_mode({"DEV_FRONTEND": "dist"}, str(tmp_path))
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.html").write_text("")
    assert dev_frontend.choose_mode({"DEV_FRONTEND": "dist"}, str(tmp_path)) == "dist"
    with pytest.raises(FrontendError, match="one of"):
        dev_frontend.choose_mode({"DEV_FRONTEND": "webpack"}, str(tmp_path))


def test_npm_ci_is_needed_without_node_modules_or_after_a_lock_change(tmp_path):
    lock = tmp_path / "package-lock.json"
    lock.write_text("{}")
    assert dev_frontend.npm_install_needed(str(tmp_path))
    (tmp_path / "node_modules").mkdir()
    marker = tmp_path / "node_modules" / ".package-lock.json"
    marker.write_text("{}")
    os.utime(lock, (1000, 1000))
    assert not dev_frontend.npm_install_needed(str(tmp_path))
    os.utime(marker, (500, 500))
    assert dev_frontend.npm_install_needed(str(tmp_path))


def test_the_origin_moves_with_its_port():
    assert dev_frontend.origin_port("http://localhost:5173") == 5173
    assert dev_frontend.with_port("http://localhost:5173", 41234) == "http://localhost:41234"
    with pytest.raises(FrontendError, match="DEV_FRONTEND=off"):
        dev_frontend.origin_port("https://app.example.com")


def test_runtime_config_has_the_agreed_keys():
    config = dev_frontend.runtime_config("http://127.0.0.1:8000/", "us-east-1", "us-east-1_x", "abc",
                                         "http://127.0.0.1:5000")
    assert config == {"apiUrl": "http://127.0.0.1:8000", "region": "us-east-1",
                      "userPoolId": "us-east-1_x", "userPoolClientId": "abc",
                      "cognitoEndpoint": "http://127.0.0.1:5000", "localEmulator": True,
                      "signInProviders": [], "stage": "local"}
