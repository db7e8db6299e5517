"""The CloudWatch line of `make cost`: its log bytes per call are what the
app really writes for a metered call, its alarms those of the template."""
import json

from conftest import call
from log_capture import capture
from scripts.measure import cost_report, observability_cost


def test_log_bytes_per_metered_call_are_what_the_app_writes(client, api_key, capsys):
    with capture(capsys) as captured:
        assert call(client, "POST", "/test", {"x-api-key": api_key})[0] == 200
    written = sum(len(line.encode()) + 1 for line in captured.written)
    assert [json.loads(line).get("message", "emf") for line in captured.written] == ["request", "emf"]
    assert 0.75 <= written / observability_cost.APP_LOG_BYTES_PER_METERED_CALL <= 1.25, written


def test_alarms_are_billed_per_metric_they_read():
    alarms, read = observability_cost.alarm_metrics()
    assert alarms == 23
    assert read == 16 + 3 * 2 + 3 * 5 + 2  # single-metric alarms, throttles, system errors, refill starts


def test_the_monthly_figures_add_up():
    with open(cost_report.PRICES) as handle:
        prices = cost_report.Prices(json.load(handle), "us-east-1", 1.27)
    costs = observability_cost.monthly(prices)
    assert round(costs["alarms"], 2) == 3.90 and costs["dashboard"] == 3.0
    assert round(costs["logs"], 3) == round(0.93 * 0.50, 3)
    text = observability_cost.section([prices], cost_report.usd)
    assert "Alarms (23, reading 39 metrics)" in text and "**total**" in text
