"""scripts/browser.py: which Chromium the browser tests use, and when a
missing one fails the run."""
import pytest

from scripts import browser


@pytest.fixture
def machine(monkeypatch):
    """A machine without browsers; tests add what they need. Commands run
    are recorded, none is executed."""
    state = {"playwright": None, "system": None, "ran": []}
    monkeypatch.setattr(browser, "playwright_chromium", lambda playwright=None: state["playwright"])
    monkeypatch.setattr(browser, "system_chromium", lambda: state["system"])
    monkeypatch.setattr(browser, "_run", lambda command, timeout: state["ran"].append(command[-2:]) or False)
    monkeypatch.setattr(browser.os, "geteuid", lambda: 1000)
    monkeypatch.delenv("CI", raising=False)
    return state


def test_playwright_s_own_chromium_comes_first(machine):
    machine["playwright"] = "/root/.cache/ms-playwright/chromium/chrome"
    machine["system"] = "/usr/bin/chromium"
    assert browser.launch_options() == {"args": browser.LAUNCH_ARGS}
    assert browser.install() == 0 and machine["ran"] == []


def test_the_system_chromium_when_playwright_cannot_download_its_own(machine):
    machine["system"] = "/usr/bin/chromium"
    assert browser.install() == 0
    assert machine["ran"] == [["install", "chromium"]]          # playwright install was tried
    options = browser.launch_options()
    assert options["executable_path"] == "/usr/bin/chromium"
    assert "--no-sandbox" in options["args"] and "--disable-dev-shm-usage" in options["args"]


def test_no_browser_fails_in_ci_and_warns_elsewhere(machine, monkeypatch, capsys):
    assert browser.launch_options() is None
    assert browser.install() == 0
    assert "warning" in capsys.readouterr().err
    monkeypatch.setenv("CI", "true")
    assert browser.install() == 1
    assert "error" in capsys.readouterr().err


def test_root_installs_debian_s_chromium(machine, monkeypatch):
    monkeypatch.setattr(browser.os, "geteuid", lambda: 0)
    monkeypatch.setattr(browser.shutil, "which", lambda name: "/usr/bin/apt-get")
    browser.install()
    assert ["-y", "chromium"] in machine["ran"]
