#!/usr/bin/env python3
"""The Chromium the browser tests drive (tests/e2e/).

Playwright's own Chromium when `playwright install chromium` can download it,
else the system's (Debian's `chromium`; installed with apt-get when this runs
as root and it is missing).

    python scripts/browser.py install   # what `make test` runs
    python scripts/browser.py           # prints the browser the tests use

With CI=true a missing browser is an error (exit 1); elsewhere a warning, and
the browser tests are reported as skipped with the reason.
"""
import os
import shutil
import subprocess
import sys

SYSTEM_CHROMIUM = ("chromium", "chromium-browser")
LAUNCH_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run"]
DOWNLOAD_TIMEOUT_SECONDS = 300


def playwright_chromium(playwright=None):
    """The path of Playwright's own Chromium when it is installed, else None.
    `playwright`: a running sync_playwright() (one per thread)."""
    if playwright is None:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            return None
        with sync_playwright() as running:
            return playwright_chromium(running)
    path = playwright.chromium.executable_path
    return path if path and os.path.isfile(path) else None


def system_chromium():
    for name in SYSTEM_CHROMIUM:
        path = shutil.which(name)
        if path:
            return path
    return None


def find(playwright=None):
    """(executable_path, description); executable_path None means
    Playwright's own build (launch without executable_path); (None, None)
    when there is no browser."""
    if playwright_chromium(playwright):
        return None, "Playwright's Chromium"
    path = system_chromium()
    if path:
        return path, "system Chromium (%s)" % path
    return None, None


def launch_options(playwright=None):
    """Keyword arguments for `playwright.chromium.launch`, or None."""
    path, description = find(playwright)
    if description is None:
        return None
    options = {"args": list(LAUNCH_ARGS)}
    if path:
        options["executable_path"] = path
    return options


def ci():
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _run(command, timeout):
    print("$ " + " ".join(command), flush=True)
    try:
        return subprocess.run(command, timeout=timeout).returncode == 0
    except (OSError, subprocess.TimeoutExpired) as error:
        print("  %s" % error, flush=True)
        return False


def install():
    if playwright_chromium():
        return 0
    if _run([sys.executable, "-m", "playwright", "install", "chromium"], DOWNLOAD_TIMEOUT_SECONDS) \
            and playwright_chromium():
        return 0
    if not system_chromium():
        print("Playwright could not download its Chromium; trying Debian's chromium.", flush=True)
        if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
            if not _run(["apt-get", "install", "-y", "chromium"], 900):
                _run(["apt-get", "update"], 600) and _run(["apt-get", "install", "-y", "chromium"], 900)
    path, description = find()
    if description:
        print("Browser tests use %s." % description, flush=True)
        return 0
    message = ("No Chromium for the browser tests: Playwright could not download one and there is "
               "no system chromium (as root, `make test` installs it with apt-get).")
    if ci():
        print("error: " + message, file=sys.stderr)
        return 1
    print("warning: %s The browser tests will be reported as skipped." % message, file=sys.stderr)
    return 0


def main(argv):
    if argv[:1] == ["install"]:
        return install()
    path, description = find()
    print(description or "none")
    return 0 if description else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
