"""The suite's groups, and the report `make test` ends with.

Each test belongs to one group, by where it lives or what it needs:
- browser: tests/e2e/ (Chromium against the local stack);
- deploy: the deploy rehearsal and the Lambda package build;
- fuzz: Schemathesis over the API and the Hypothesis balance model;
- stack: anything on the emulators (moto, the Stripe sandbox, `scripts/dev.py`);
- unit: the rest; no emulator, browser or network (`make check` runs these).

`pytest -m unit` (or `-m "not browser"`, …) selects by group. The report lists
the slowest tests (set-up, call and tear-down together), the slowest files
and each group's total, so a slow test is seen the day it lands.

Under pytest-xdist (`--dist loadfile`, `--no-loadscope-reorder` in
pytest.ini) a worker takes the next file when it is nearly done with its
own, so the files are handed out longest first: a long file started last
would keep one worker busy while the other waits. A file's expected time is
its figure in FILE_SECONDS (the heavy files, as the report measures them),
else its tests at their group's average (GROUP_SECONDS_PER_TEST).
"""
import collections
import os

GROUPS = ("unit", "stack", "browser", "deploy", "fuzz")
GROUP_OF_FILE = {
    "test_deploy_rehearsal.py": "deploy",
    "test_deploy_package.py": "deploy",
    "test_api_fuzz.py": "fuzz",
    "test_balances_model.py": "fuzz",
    "test_local_stack_e2e.py": "stack",
    "test_local_stack_top_up.py": "stack",
}
# Fixtures that start or use an emulator; a test needing any of them (even
# through another fixture) is a stack test.
EMULATOR_FIXTURES = frozenset({"moto_url", "stripe_sandbox", "sandbox", "api_url", "shared_dev_stack"})
SLOWEST = 10
# Seconds per file on a 2-core machine, from the report's "slowest files"
# (round figures; only the order they give matters).
FILE_SECONDS = {
    "test_browser_journeys.py": 100,
    "test_webhook_replay.py": 60,
    "test_local_stack_e2e.py": 58,
    "test_api_fuzz.py": 56,
    "test_browser_teams.py": 47,
    "test_refill.py": 29,
    "test_browser_alerts.py": 27,
    "test_deploy_rehearsal.py": 26,
    "test_top_ups.py": 18,
    "test_deploy_package.py": 13,
    "test_local_stack_top_up.py": 12,
    "test_local_stack_client.py": 8,
    "test_orgs.py": 8,
    "test_privacy.py": 8,
    "test_balances_model.py": 7,
    "test_sync_products.py": 5,
    "test_log_safety.py": 4,
    "test_local_stack_orgs.py": 3,
    "test_sandbox_conformance.py": 2,
}
GROUP_SECONDS_PER_TEST = {"browser": 15, "deploy": 2, "fuzz": 2, "stack": 0.3, "unit": 0.05}


def group_of(path, fixturenames):
    parts = path.split(os.sep)
    if "e2e" in parts:
        return "browser"
    if parts[-1] in GROUP_OF_FILE:
        return GROUP_OF_FILE[parts[-1]]
    if EMULATOR_FIXTURES.intersection(fixturenames):
        return "stack"
    return "unit"


def pytest_configure(config):
    for name in GROUPS:
        config.addinivalue_line("markers", "%s: a test of the %s group (tests/suite_groups.py)" % (name, name))
    config.pluginmanager.register(SuiteReport(), "suite-report")


def pytest_collection_modifyitems(items):
    import pytest

    give_unique_node_ids(items)
    for item in items:
        group = group_of(str(item.path), item.fixturenames)
        item.add_marker(getattr(pytest.mark, group))
        # Travels with the reports, so the report also works under xdist.
        item.user_properties.append(("group", group))
    longest_files_first(items)


def file_of(item):
    return item.nodeid.split("::")[0]


def longest_files_first(items):
    """Sorts the items by their file's expected time, longest first; a file's
    tests stay together and in their order."""
    expected, first = collections.Counter(), {}
    for index, item in enumerate(items):
        name = file_of(item)
        first.setdefault(name, index)
        group = dict(item.user_properties).get("group", "stack")
        expected[name] += GROUP_SECONDS_PER_TEST[group]
    for name in expected:
        expected[name] = FILE_SECONDS.get(name.rsplit("/", 1)[-1], expected[name])
    items.sort(key=lambda item: (-expected[file_of(item)], first[file_of(item)]))


def give_unique_node_ids(items):
    """Schemathesis names each operation's test `test_x[GET /plans]` but gives
    them all the node id `...::test_x`; pytest-xdist schedules by node id, so
    it would run one of them and drop the rest without a word. The item's
    name becomes its node id's last part instead."""
    seen = collections.Counter(item.nodeid for item in items)
    for item in items:
        if seen[item.nodeid] > 1 and not item.nodeid.endswith("::" + item.name):
            unique = "%s::%s" % (item.nodeid.rsplit("::", 1)[0], item.name)
            item._id = type(item.id).parse(unique)  # pytest 9 keeps the node id parsed


class SuiteReport:
    """Time per test and per group, from the reports (the controller's view
    under xdist, so the figures cover every worker)."""

    def __init__(self):
        self.seconds = collections.defaultdict(float)
        self.group = {}

    def pytest_runtest_logreport(self, report):
        self.seconds[report.nodeid] += report.duration
        group = dict(report.user_properties).get("group")
        if group:
            self.group[report.nodeid] = group

    def pytest_terminal_summary(self, terminalreporter):
        if not self.seconds:
            return
        write = terminalreporter.write_line
        terminalreporter.section("slowest %d tests (set-up + call + tear-down)" % SLOWEST)
        for nodeid, seconds in sorted(self.seconds.items(), key=lambda pair: -pair[1])[:SLOWEST]:
            write("%7.2fs  %-7s %s" % (seconds, self.group.get(nodeid, "?"), nodeid))
        terminalreporter.section("slowest %d files" % SLOWEST)
        files = collections.Counter()
        for nodeid, seconds in self.seconds.items():
            files[nodeid.split("::")[0]] += seconds
        for name, seconds in files.most_common(SLOWEST):
            write("%7.2fs  %s" % (seconds, name))
        terminalreporter.section("time per group (summed over workers)")
        totals, counts = collections.defaultdict(float), collections.Counter()
        for nodeid, seconds in self.seconds.items():
            group = self.group.get(nodeid, "?")
            totals[group] += seconds
            counts[group] += 1
        for group in sorted(totals, key=lambda name: -totals[name]):
            write("%-8s %4d tests %8.1fs" % (group, counts[group], totals[group]))
