"""The suite's groups and node ids (tests/suite_groups.py)."""
from _pytest.nodeid import NodeId

import suite_groups


def test_each_test_falls_in_the_group_of_its_place_or_its_fixtures():
    assert suite_groups.group_of("/r/tests/e2e/test_browser_journeys.py", ["tmp_path"]) == "browser"
    assert suite_groups.group_of("/r/tests/test_deploy_rehearsal.py", ["aws_stack"]) == "deploy"
    assert suite_groups.group_of("/r/tests/test_api_fuzz.py", ["api_url"]) == "fuzz"
    assert suite_groups.group_of("/r/tests/test_local_stack_e2e.py", ["tmp_path"]) == "stack"
    assert suite_groups.group_of("/r/tests/test_credits.py", ["client", "moto_url"]) == "stack"
    assert suite_groups.group_of("/r/tests/sandbox/test_x.py", ["sandbox"]) == "stack"
    assert suite_groups.group_of("/r/tests/test_local_stack_orgs.py", ["stack", "shared_dev_stack"]) == "stack"
    assert suite_groups.group_of("/r/tests/test_openapi.py", ["tmp_path"]) == "unit"


class FakeItem:
    def __init__(self, nodeid, name):
        self._id = NodeId.parse(nodeid)
        self.name = name

    @property
    def id(self):
        return self._id

    @property
    def nodeid(self):
        return str(self._id)


def test_items_sharing_a_node_id_get_their_own_so_xdist_runs_each():
    items = [FakeItem("tests/test_api_fuzz.py::test_fuzz", "test_fuzz[GET /plans]"),
             FakeItem("tests/test_api_fuzz.py::test_fuzz", "test_fuzz[GET /user]"),
             FakeItem("tests/test_x.py::test_y[1]", "test_y[1]")]
    suite_groups.give_unique_node_ids(items)
    assert [item.nodeid for item in items] == [
        "tests/test_api_fuzz.py::test_fuzz[GET /plans]",
        "tests/test_api_fuzz.py::test_fuzz[GET /user]",
        "tests/test_x.py::test_y[1]",
    ]
