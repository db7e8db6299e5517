"""scripts/devstack/emulator_noise.py: what moto's Step Functions interpreter
logs reaches the console as one readable line per event, never as a dump of
the parsed state machine or a traceback. (Across make dev's subscribe flow:
tests/test_local_stack_e2e.py.)"""
import json
import logging
import sys
import time
import uuid

import pytest

from scripts import statemachine
from scripts.devstack import emulator, emulator_noise

HUGE_REPR = "(StateMap| {'state_entered_event_type': %s}" % ("x" * 35000)


def record(msg, *args, exc_info=None):
    return logging.LogRecord(emulator_noise.LOGGER + ".asl.component.eval_component", logging.ERROR,
                             __file__, 1, msg, args, exc_info)


def lines_for(*records):
    lines = []
    handler = emulator_noise.OneLineHandler(lines.append)
    for each in records:
        handler.emit(each)
    return lines


def stop_inside_the_map_state():
    """The three records moto 5.2 logs when an execution is stopped while its
    Map state waits."""
    return [
        record("%s at '%s'", emulator_noise.ABORTED_ITERATION + ', Details={"executionFailedEventDetails": ""}',
               "(InlineItemProcessor| {" + "y" * 30000 + "}"),
        record("%s at '%s'", emulator_noise.MAP_STATE_ERROR, HUGE_REPR),
        record(emulator_noise.PROGRAM_ENDED, "AttributeError('str' object has no attribute 'get')"),
    ]


def test_a_stop_inside_the_map_state_is_one_line():
    assert lines_for(*stop_inside_the_map_state()) == [
        "aws | Step Functions: execution stopped inside its Map state (the emulator records it as FAILED, "
        "AWS as ABORTED)"]


def test_any_other_error_is_one_short_line_naming_the_component_and_printed_once_per_chain():
    error = record("%s at '%s'", 'Exception=FailureEventException, Error=States.Runtime, Details={"cause": "x"}',
                   HUGE_REPR)
    lines = lines_for(error, error, record("Stepfunctions computation ended with exception '%s'.", "KeyError('a')"))
    assert lines == ['aws | Step Functions: Exception=FailureEventException, Error=States.Runtime, '
                     'Details={"cause": "x"} at StateMap',
                     "aws | Step Functions: Stepfunctions computation ended with exception 'KeyError('a')'."]


def test_the_map_state_error_alone_is_not_taken_for_a_stop():
    lines = lines_for(record(emulator_noise.PROGRAM_ENDED, "AttributeError('str' object has no attribute 'get')"))
    assert lines == ["aws | Step Functions: Stepfunctions computation ended with exception "
                     "'AttributeError('str' object has no attribute 'get')'."]


def test_a_long_message_and_an_exception_stay_on_one_short_line_without_a_traceback():
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        failure = record("Unhandled termination error in item processor worker for job '%s'.\n" + "z" * 5000,
                         3, exc_info=sys.exc_info())
    [line] = lines_for(failure)
    assert "\n" not in line and "Traceback" not in line
    assert len(line) < len(emulator_noise.PREFIX) + emulator_noise.MAX_TEXT * 2 + 40
    assert line.endswith("(ValueError: boom second line)")


def test_emulator_log_full_keeps_moto_s_own_output():
    assert emulator_noise.install({"EMULATOR_LOG": "full"}) is None


# On the emulator --------------------------------------------------------------


@pytest.fixture(scope="module")
def machine(aws_stack):
    sfn = emulator.boto_client("stepfunctions")
    return sfn, statemachine.create_state_machine(sfn, name="credits-saas-refill-noise-test")


def history_types(sfn, arn):
    return [event["type"] for event in sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]]


def wait_for(predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out waiting for " + what
        time.sleep(0.05)


def collect_until(capfd, expected, timeout=30, settle=0.5):
    """What this process printed until `expected` appears, and a little after
    (the emulator's threads write on their own)."""
    output, deadline = "", time.monotonic() + timeout
    while expected not in output and time.monotonic() < deadline:
        printed = capfd.readouterr()
        output += printed.out + printed.err
        time.sleep(0.05)
    time.sleep(settle)
    printed = capfd.readouterr()
    return output + printed.out + printed.err


def test_stopping_an_execution_inside_its_map_state_prints_one_line(machine, capfd):
    sfn, arn = machine
    name = "refill-noise-%s-1" % uuid.uuid4().hex[:12]
    execution = sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps({
        "user_id": "noise-" + name, "credits": 50, "period_seconds": 3600, "period": 1,
        "periods_per_execution": 3, "lineage": name, "handover": 0}))["executionArn"]
    wait_for(lambda: "WaitStateEntered" in history_types(sfn, execution), "the Map state's wait")
    sfn.stop_execution(executionArn=execution)
    wait_for(lambda: sfn.describe_execution(executionArn=execution)["status"] != "RUNNING", "the stop")
    expected = ("aws | Step Functions: execution %s stopped inside its Map state (the emulator records it "
                "as FAILED, AWS as ABORTED)" % name)
    output = collect_until(capfd, expected)
    assert [line for line in output.splitlines() if name in line] == [expected], output[-3000:]
    assert "Traceback" not in output and "MapIterationAborted" not in output
    assert all(len(line) < 1000 for line in output.splitlines())
