"""infra/monitoring.yaml: every alarm the runbook lists, each to the alert
topic with a description that says what to do; the optional email
subscription; a dashboard that shows every business metric. cfn-lint runs on
it with the other templates (tests/test_templates.py)."""
import json
import re

import pytest

from chalicelib.platform import metrics
from scripts.deploy import stacks
from scripts.deploy.rehearsal import evaluate_conditions

ALERT_TOPIC = {"Ref": "AlertTopicArn"}
APP_NAMESPACE = {"Ref": "MetricsNamespace"}


@pytest.fixture(scope="module")
def template():
    return stacks.load_template("monitoring")


def alarms(template):
    return {name: resource["Properties"] for name, resource in template["Resources"].items()
            if resource["Type"] == "AWS::CloudWatch::Alarm"}


def watched(alarm):
    """(namespace, metric name) of every metric an alarm reads."""
    if "Metrics" not in alarm:
        return {(json.dumps(alarm["Namespace"]), alarm["MetricName"])}
    return {(json.dumps(query["MetricStat"]["Metric"]["Namespace"]), query["MetricStat"]["Metric"]["MetricName"])
            for query in alarm["Metrics"] if "MetricStat" in query}


def dimension(alarm, name):
    dimensions = alarm.get("Dimensions") or alarm["Metrics"][0]["MetricStat"]["Metric"]["Dimensions"]
    return [item["Value"] for item in dimensions if item["Name"] == name][0]


GT, GTE = "GreaterThanThreshold", "GreaterThanOrEqualToThreshold"
EXPECTED = {
    # logical id: (namespace, metric, statistic, operator, threshold, period seconds, datapoints)
    # API Gateway and Lambda: period, datapoints and operator as CloudWatch's recommended alarms
    # (and the API thresholds); Step Functions and the app's metrics: the project's choice.
    "ApiServerErrorRate": ("AWS/ApiGateway", "5XXError", "Average", GT, 0.05, 60, 3),
    "ApiLatencyP90": ("AWS/ApiGateway", "Latency", "p90", GTE, 2500, 60, 5),
    "ApiFunctionErrors": ("AWS/Lambda", "Errors", "Sum", GT, 0, 60, 3),
    "TriggerFunctionErrors": ("AWS/Lambda", "Errors", "Sum", GT, 0, 60, 3),
    "ApiFunctionThrottles": ("AWS/Lambda", "Throttles", "Sum", GTE, 1, 60, 5),
    "TriggerFunctionThrottles": ("AWS/Lambda", "Throttles", "Sum", GTE, 1, 60, 5),
    "RefillExecutionsFailed": ("AWS/States", "ExecutionsFailed", "Sum", GT, 0, 60, 1),
    "RefillExecutionsTimedOut": ("AWS/States", "ExecutionsTimedOut", "Sum", GT, 0, 60, 1),
    "RefillExecutionsAborted": ("AWS/States", "ExecutionsAborted", "Sum", GT, 0, 60, 1),
    "WebhookFailures": (APP_NAMESPACE, "WebhookFailures", "Sum", GT, 0, 900, 1),
    "Disputes": (APP_NAMESPACE, "Disputes", "Sum", GT, 0, 3600, 1),
    "EmailSenderErrors": ("AWS/Lambda", "Errors", "Sum", GT, 0, 60, 3),
    "EmailRecordFailures": (APP_NAMESPACE, "EmailRecordFailures", "Sum", GT, 0, 900, 1),
}


@pytest.mark.parametrize("logical_id", sorted(EXPECTED))
def test_single_metric_alarms_watch_what_the_runbook_says(template, logical_id):
    namespace, metric, statistic, operator, threshold, period, datapoints = EXPECTED[logical_id]
    alarm = alarms(template)[logical_id]
    assert (alarm["Namespace"], alarm["MetricName"]) == (namespace, metric)
    assert alarm.get("Statistic", alarm.get("ExtendedStatistic")) == statistic
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == (operator, threshold)
    assert (alarm["Period"], alarm["DatapointsToAlarm"], alarm["EvaluationPeriods"]) == (period, datapoints, datapoints)


def test_duration_alarms_are_near_each_functions_timeout(template):
    found = alarms(template)
    for prefix in ("Api", "Trigger"):
        alarm = found[prefix + "FunctionDuration"]
        assert (alarm["MetricName"], alarm["ExtendedStatistic"]) == ("Duration", "p90")
        assert alarm["Threshold"] == {"Ref": "DurationAlarmMilliseconds"}
        assert (alarm["ComparisonOperator"], alarm["Period"], alarm["DatapointsToAlarm"]) == (GT, 60, 15)
    assert dimension(found["ApiFunctionDuration"], "FunctionName") == {"Fn::Sub": "credits-saas-${Stage}"}
    assert dimension(found["TriggerFunctionDuration"], "FunctionName") == {
        "Fn::Sub": "credits-saas-${Stage}-post_confirmation"}


@pytest.mark.parametrize("table", ["Accounts", "Ledger", "Products"])
def test_each_table_has_a_throttle_and_a_system_error_alarm(template, table):
    found = alarms(template)
    throttles, errors = found[table + "TableThrottles"], found[table + "TableSystemErrors"]
    assert watched(throttles) == {('"AWS/DynamoDB"', "ReadThrottleEvents"), ('"AWS/DynamoDB"', "WriteThrottleEvents")}
    assert watched(errors) == {('"AWS/DynamoDB"', "SystemErrors")}
    operations = {query["MetricStat"]["Metric"]["Dimensions"][1]["Value"] for query in errors["Metrics"]
                  if "MetricStat" in query}
    assert {"GetItem", "UpdateItem", "PutItem", "TransactWriteItems", "Query"} <= operations
    # CloudWatch's recommended alarms: throttle events 5 of 5 minutes, system errors 15 of 15.
    assert (throttles["DatapointsToAlarm"], throttles["EvaluationPeriods"]) == (5, 5)
    assert (errors["DatapointsToAlarm"], errors["EvaluationPeriods"]) == (15, 15)
    for alarm in (throttles, errors):
        assert dimension(alarm, "TableName") == {"Ref": table + "TableName"}
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == (GT, 0)
        assert {query["MetricStat"]["Period"] for query in alarm["Metrics"] if "MetricStat" in query} == {60}
        assert [query["Id"] for query in alarm["Metrics"] if query["ReturnData"]] == [alarm["Metrics"][-1]["Id"]]


def test_a_refill_that_silently_stopped_starting_alarms(template):
    alarm = alarms(template)["RefillTooFewStarted"]
    assert watched(alarm) == {(json.dumps(APP_NAMESPACE), "SignUps"), ('"AWS/States"', "ExecutionsStarted")}
    assert alarm["Metrics"][-1]["Expression"] == "FILL(signups, 0) - FILL(started, 0)"
    assert (alarm["Threshold"], alarm["ComparisonOperator"], alarm["EvaluationPeriods"]) == (
        0, "GreaterThanThreshold", 3)


def test_every_alarm_goes_to_the_alert_topic_and_says_what_to_do(template):
    found = alarms(template)
    assert len(found) == 23
    names = set()
    for logical_id, alarm in found.items():
        assert alarm["ActionsEnabled"] is True, logical_id
        assert alarm["AlarmActions"] == [ALERT_TOPIC], logical_id
        assert alarm["TreatMissingData"] == "notBreaching", logical_id
        assert len(alarm["AlarmDescription"]) > 100, logical_id
        names.add(alarm["AlarmName"]["Fn::Sub"])
    assert len(names) == len(found)


def test_app_metrics_that_alarms_read_are_ones_the_app_emits(template):
    for alarm in alarms(template).values():
        for namespace, metric in watched(alarm):
            if namespace == json.dumps(APP_NAMESPACE):
                assert metric in metrics.METRICS


@pytest.mark.parametrize("email, subscribed", [("", False), ("ops@example.com", True)])
def test_the_email_subscription_only_with_an_alert_email(template, email, subscribed):
    subscription = template["Resources"]["AlertEmailSubscription"]
    assert subscription["Properties"] == {"TopicArn": ALERT_TOPIC, "Protocol": "email",
                                          "Endpoint": {"Ref": "AlertEmail"}}
    conditions = evaluate_conditions(template, {"AlertEmail": email})
    assert conditions[subscription["Condition"]] is subscribed


def test_the_dashboard_shows_the_api_functions_tables_refill_and_every_business_metric(template):
    body = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    parameters = set(re.findall(r"\$\{([A-Za-z:]+)\}", body))
    assert parameters <= set(template["Parameters"]) | {"AWS::Region"}
    widgets = json.loads(re.sub(r"\$\{[A-Za-z:]+\}", "x", body))["widgets"]
    text = json.dumps(widgets)
    for metric in ("5XXError", "4XXError", "Latency", "Count", "Errors", "Throttles", "Duration",
                   "ConsumedWriteCapacityUnits", "WriteThrottleEvents", "ExecutionsStarted", "ExecutionsFailed"):
        assert '"%s"' % metric in text, metric
    for metric in metrics.METRICS:
        assert metric in text, metric
