"""What the logs, metrics, alarms and dashboard cost a month at 1 million
metered calls (the CloudWatch line of `make cost`).

Log bytes per call: the app's request line and its EMF line as written for a
metered call (tests/test_measure_observability_cost.py measures them and
holds this figure), plus the START/END/REPORT lines Lambda writes per
invocation. Custom metrics: each metric name with each value of its
dimensions the app emits in a month (`CUSTOM_METRICS`). Alarms are billed
per metric they read (a metric-math alarm reads several): counted from
infra/monitoring.yaml.
"""
from scripts.deploy import stacks
from scripts.measure.markdown import table

APP_LOG_BYTES_PER_METERED_CALL = 600
LAMBDA_LOG_BYTES_PER_INVOCATION = 330
CALLS = 1_000_000
# MeteredCalls, CreditsSpent, InsufficientCredits, RateLimited, SignUps,
# WebhookFailures, Refunds, Disputes, EmailsRecorded, EmailRecordFailures
# (10); CreditsGranted by 5 kinds; CheckoutsStarted by 2; Purchases by 2;
# WebhookEvents by about 12 type/outcome pairs seen in a month; EmailsSent by
# the 5 kinds sent today; EmailsSkipped by its 2 reasons; EmailSendFailures
# by about 2 error codes.
CUSTOM_METRICS = 10 + 5 + 2 + 2 + 12 + 5 + 2 + 2
DASHBOARDS = 1


def alarm_metrics():
    """(alarms, metrics they read) in infra/monitoring.yaml."""
    alarms = [resource["Properties"] for resource in stacks.load_template("monitoring")["Resources"].values()
              if resource["Type"] == "AWS::CloudWatch::Alarm"]
    read = sum(len([q for q in alarm["Metrics"] if "MetricStat" in q]) if "Metrics" in alarm else 1
               for alarm in alarms)
    return len(alarms), read


def monthly(prices):
    """{item: USD a month} for one region's prices (a cost_report.Prices)."""
    aws = prices.aws
    gigabytes = CALLS * (APP_LOG_BYTES_PER_METERED_CALL + LAMBDA_LOG_BYTES_PER_INVOCATION) / 1e9
    _, alarm_metric_count = alarm_metrics()
    return {
        "logs": gigabytes * aws["cloudwatch_logs_ingested_per_gb"],
        "metrics": CUSTOM_METRICS * aws["cloudwatch_custom_metric_per_month"],
        "alarms": alarm_metric_count * aws["cloudwatch_alarm_metric_per_month"],
        "dashboard": DASHBOARDS * aws["cloudwatch_dashboard_per_month"],
    }


def section(all_prices, usd):
    costs = {p.region: monthly(p) for p in all_prices}
    alarms, read = alarm_metrics()
    labels = {
        "logs": "Logs ingested (%.2f GB: request + EMF lines, Lambda's own)" % (
            CALLS * (APP_LOG_BYTES_PER_METERED_CALL + LAMBDA_LOG_BYTES_PER_INVOCATION) / 1e9),
        "metrics": "Custom metrics (%d, EMF: no PutMetricData calls)" % CUSTOM_METRICS,
        "alarms": "Alarms (%d, reading %d metrics)" % (alarms, read),
        "dashboard": "Dashboard (%d)" % DASHBOARDS,
    }
    rows = [[labels[item]] + [usd(costs[p.region][item]) for p in all_prices] for item in labels]
    rows.append(["**total**"] + ["**%s**" % usd(sum(costs[p.region].values())) for p in all_prices])
    return ("## Observability a month at 1 million metered calls (CloudWatch)\n\n"
            + table(["Item"] + [p.region for p in all_prices], rows)
            + "\n\nLog storage after ingestion (retention: infra/stages.json) and X-Ray traces are not "
            "counted; the first 3 dashboards and 10 alarm metrics of an account are free (not deducted).")
