"""Business metrics in CloudWatch's embedded metric format (EMF), through
Powertools for AWS Lambda: JSON lines on stdout that CloudWatch Logs turns into
metrics, so counting costs no API call and no time on the request.

    from chalicelib.platform import metrics
    metrics.count("CreditsGranted", 500, kind="pack")
    metrics.count("InsufficientCredits")

Counts add up during a request or event and leave at its end (`flush()`, one
line per set of dimensions; chalicelib.platform.logs does both ends). All metrics are in
one namespace, and the only dimensions are the few in `DIMENSIONS`, whose values
come from short fixed lists: every distinct value is a metric billed by the
month, so an account id, an email or an event id is never a dimension.

The metric names are in `METRICS`; docs/operations.md says who emits each.
"""
import os
import threading

# One namespace per stage (the deploy sets METRICS_NAMESPACE=CreditsSaaS/<stage>).
NAMESPACE = os.environ.get("METRICS_NAMESPACE", "CreditsSaaS")
DIMENSIONS = frozenset({"kind", "type", "outcome", "route", "reason"})
MAX_DIMENSION_VALUE = 64
METRICS = frozenset({
    "MeteredCalls", "CreditsSpent", "InsufficientCredits", "RateLimited",
    "SignUps", "CreditsGranted", "CheckoutsStarted", "Purchases",
    "WebhookEvents", "WebhookFailures", "Refunds", "Disputes", "OperatorActions",
    "EmailsRecorded", "EmailRecordFailures", "EmailsSent", "EmailsSkipped", "EmailSendFailures",
    "BalanceCrossings", "CrossingRecordFailures", "ThresholdReads",
    "CardSetupsStarted", "CardsSaved", "TopUpSettingsChanged",
    "TopUpsStarted", "TopUpsSucceeded", "TopUpsFailed", "TopUpsPaused", "TopUpsTurnedOff",
    "OrganisationChanges", "AccountsDeleted", "DataExports",
})

_pending = threading.local()


def _batch():
    if not hasattr(_pending, "counts"):
        _pending.counts = {}
    return _pending.counts


def count(name, value=1, **dimensions):
    """Add `value` to the metric `name` (with these dimensions) for this
    request or event. An unknown name or dimension is a programming error."""
    if name not in METRICS:
        raise ValueError("unknown metric %r: add it to chalicelib.platform.metrics.METRICS" % name)
    unknown = set(dimensions) - DIMENSIONS
    if unknown:
        raise ValueError("%s cannot be a dimension (allowed: %s)" % (", ".join(sorted(unknown)),
                                                                     ", ".join(sorted(DIMENSIONS))))
    dimension_set = tuple(sorted((key, str(value)[:MAX_DIMENSION_VALUE]) for key, value in dimensions.items()))
    batch = _batch()
    batch[(name, dimension_set)] = batch.get((name, dimension_set), 0) + value


def begin():
    """A new request or event: forget counts that belong to nothing."""
    _batch().clear()


def flush():
    """Write the counts as EMF lines, one per set of dimensions."""
    batch = _batch()
    if not batch:
        return
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit  # only once there is a count to write

    by_dimensions = {}
    for (name, dimension_set), value in batch.items():
        by_dimensions.setdefault(dimension_set, []).append((name, value))
    batch.clear()
    for dimension_set, counts in by_dimensions.items():
        emf = EphemeralMetrics(namespace=NAMESPACE)
        for key, value in dimension_set:
            emf.add_dimension(name=key, value=value)
        for name, value in counts:
            emf.add_metric(name=name, unit=MetricUnit.Count, value=value)
        emf.flush_metrics()
