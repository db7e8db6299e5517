"""Structure of statemachine.asl.json: valid states, every transition lands on
a state, every state can reach an end, no Lambda, placeholders all rendered."""
import json
import os

import pytest

from scripts import statemachine

STATE_TYPES = {"Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map"}
TERMINAL_TYPES = {"Succeed", "Fail"}
ALLOWED_RESOURCES = {
    "arn:aws:states:::dynamodb:updateItem",
    "arn:aws:states:::dynamodb:putItem",
    "arn:aws:states:::states:startExecution",
    "arn:aws:states:::sns:publish",
}
THROTTLING = {
    "DynamoDB.ProvisionedThroughputExceededException",
    "DynamoDB.ThrottlingException",
    "DynamoDB.RequestLimitExceeded",
    "States.Timeout",
}
CONDITION_FAILED = "DynamoDB.ConditionalCheckFailedException"


@pytest.fixture(scope="module")
def definition():
    with open(statemachine.DEFINITION_PATH) as handle:
        return json.load(handle)


def scopes(machine, path="$"):
    """(path, scope) for the machine and every nested state machine."""
    yield path, machine
    for name, state in machine["States"].items():
        nested = []
        if state.get("Type") == "Map":
            nested.append(state.get("ItemProcessor") or state.get("Iterator"))
        if state.get("Type") == "Parallel":
            nested.extend(state.get("Branches", []))
        for index, inner in enumerate(nested):
            yield from scopes(inner, "%s.%s[%d]" % (path, name, index))


def all_states(machine):
    for _, scope in scopes(machine):
        yield from scope["States"].items()


def targets(state):
    found = []
    if "Next" in state:
        found.append(state["Next"])
    if "Default" in state:
        found.append(state["Default"])
    for rule in state.get("Choices", []):
        found.append(rule["Next"])
    for catcher in state.get("Catch", []):
        found.append(catcher["Next"])
    return found


def is_end(state):
    return state["Type"] in TERMINAL_TYPES or state.get("End") is True


def test_state_types_are_valid(definition):
    for name, state in all_states(definition):
        assert state.get("Type") in STATE_TYPES, name


def test_every_transition_lands_on_a_state_of_its_scope(definition):
    for path, scope in scopes(definition):
        names = set(scope["States"])
        assert scope["StartAt"] in names, path
        for name, state in scope["States"].items():
            for target in targets(state):
                assert target in names, "%s.%s -> %s" % (path, name, target)


def test_every_state_either_ends_or_moves_on(definition):
    for name, state in all_states(definition):
        if state["Type"] in TERMINAL_TYPES:
            assert "Next" not in state and "End" not in state, name
        elif state["Type"] == "Choice":
            assert state.get("Choices"), name
        else:
            assert ("Next" in state) != bool(state.get("End")), name


def test_every_state_is_reachable_and_can_reach_an_end(definition):
    for path, scope in scopes(definition):
        states = scope["States"]
        reachable, todo = set(), [scope["StartAt"]]
        while todo:
            name = todo.pop()
            if name not in reachable:
                reachable.add(name)
                todo.extend(targets(states[name]))
        assert reachable == set(states), "%s: unreachable %s" % (path, set(states) - reachable)
        for name in states:
            seen, todo, ends = set(), [name], False
            while todo and not ends:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                ends = is_end(states[current])
                todo.extend(targets(states[current]))
            assert ends, "%s.%s never reaches an end" % (path, name)


def test_no_lambda_and_only_optimized_integrations(definition):
    text = json.dumps(definition).lower()
    assert "arn:aws:lambda" not in text and ":lambda:" not in text
    for name, state in all_states(definition):
        if state["Type"] == "Task":
            assert state["Resource"] in ALLOWED_RESOURCES, name


def test_dynamodb_tasks_retry_throttling_and_never_retry_a_failed_condition(definition):
    for name, state in all_states(definition):
        if state["Type"] != "Task" or ":dynamodb:" not in state["Resource"]:
            continue
        retried = set()
        for retrier in state.get("Retry", []):
            retried.update(retrier["ErrorEquals"])
            assert retrier.get("BackoffRate", 1) > 1, name
            assert retrier.get("MaxAttempts", 3) >= 3, name
        assert THROTTLING <= retried, name
        assert not {CONDITION_FAILED, "States.ALL", "States.TaskFailed"} & retried, name
        caught = {error for catcher in state.get("Catch", []) for error in catcher["ErrorEquals"]}
        assert CONDITION_FAILED in caught, name


def test_the_grant_is_guarded_by_plan_execution_and_period(definition):
    grants = {name: state for name, state in all_states(definition)
              if state.get("Resource") == "arn:aws:states:::dynamodb:updateItem"
              and ":allowance" in state["Parameters"]["UpdateExpression"]}
    assert len(grants) == 3  # the branches of credits := allowance + min(purchased, credits), and of a debt
    for name, state in grants.items():
        parameters = state["Parameters"]
        condition = parameters["ConditionExpression"]
        names = parameters["ExpressionAttributeNames"]
        values = parameters["ExpressionAttributeValues"]
        assert names["#plan"] == "plan" and "#plan = :free" in condition and values[":free"] == {"S": "Free"}
        assert names["#execution"] == "refill_execution" and "#execution = :execution" in condition
        assert values[":execution"] == {"S.$": "$$.Execution.Name"}
        assert names["#period"] == "refill_period" and "#period < :period" in condition
        assert "#period = :period" in parameters["UpdateExpression"]
    expressions = sorted(state["Parameters"]["UpdateExpression"] for state in grants.values())
    assert expressions == [
        "SET #credits = #purchased + :allowance, #period = :period",
        "SET #purchased = #credits, #credits = #credits + :allowance, #period = :period",
        "SET #purchased = :zero, #credits = #credits + :allowance, #period = :period",
    ]
    conditions = sorted(state["Parameters"]["ConditionExpression"].rsplit(" AND ", 1)[1] for state in grants.values())
    assert conditions == ["#credits < :zero", "#credits >= :zero", "#purchased <= #credits"]


def test_a_period_costs_three_state_transitions(definition):
    """docs/refill.md prices a period at three transitions: Wait, reset, ledger."""
    grant_map = next(state for _, state in all_states(definition) if state["Type"] == "Map")
    assert grant_map["MaxConcurrency"] == 1
    processor = grant_map["ItemProcessor"]
    path, name = [], processor["StartAt"]
    while True:
        state = processor["States"][name]
        path.append(state["Type"])
        if is_end(state):
            break
        name = state["Next"]
    assert path == ["Wait", "Task", "Task"]
    with open(os.path.join(statemachine.ROOT, "docs", "refill.md")) as handle:
        assert "3 state transitions per period" in handle.read()


def test_placeholders_render_from_one_place(definition, monkeypatch):
    monkeypatch.setenv("ACCOUNTS_TABLE", "stage-accounts")
    monkeypatch.setenv("LEDGER_TABLE", "stage-ledger")
    assert statemachine.placeholders() == {"AccountsTable", "LedgerTable", "AlertTopicArn"}
    topic = "arn:aws:sns:us-east-1:123456789012:alerts"
    values = statemachine.substitutions(alert_topic_arn=topic)
    assert values == {"AccountsTable": "stage-accounts", "LedgerTable": "stage-ledger", "AlertTopicArn": topic}
    rendered = statemachine.render(values)
    assert "${" not in rendered
    tables = {state["Parameters"].get("TableName") for _, state in all_states(json.loads(rendered))
              if state["Type"] == "Task"}
    assert tables == {"stage-accounts", "stage-ledger", None}
    with pytest.raises(KeyError):
        statemachine.render({"AccountsTable": "a", "LedgerTable": "b"})
