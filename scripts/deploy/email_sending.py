"""The email side of a stage, after `chalice deploy`: the event source
mapping Chalice made for `send_emails` gets its filter (only new `email:`
and `crossing:` items of the ledger table's stream invoke the function), bisection and
bounded retries; and the deploy says whether the SES identity is verified
and whether the account is still in SES's sandbox (docs/deploy.md)."""
import json

from chalicelib.notices.outbox import STREAM_FILTER

SENDER_FUNCTION = "send_emails"
# A batch that raises is split in two and retried, for up to an hour, then
# dropped (the items stay `pending`; EmailSendFailures counted each try).
RETRIES = {"BisectBatchOnFunctionError": True, "MaximumRetryAttempts": 100, "MaximumRecordAgeInSeconds": 3600}


def filter_criteria():
    return {"Filters": [{"Pattern": json.dumps(STREAM_FILTER, separators=(",", ":"))}]}


def configure_stream(lambda_client, deployed, out):
    """Puts the filter and the retry settings on the sender's mappings
    (idempotent; `chalice deploy` leaves both untouched on its updates)."""
    function = deployed.get(SENDER_FUNCTION)
    if not function:
        out("  no %s function recorded by chalice deploy: nothing to configure" % SENDER_FUNCTION)
        return []
    mappings = lambda_client.list_event_source_mappings(FunctionName=function["lambda_arn"])["EventSourceMappings"]
    for mapping in mappings:
        lambda_client.update_event_source_mapping(UUID=mapping["UUID"], FilterCriteria=filter_criteria(), **RETRIES)
    out("  %s: %d stream mapping(s), filter %s, retried for up to %d s"
        % (SENDER_FUNCTION, len(mappings), json.dumps(STREAM_FILTER), RETRIES["MaximumRecordAgeInSeconds"]))
    return [mapping["UUID"] for mapping in mappings]


def report_identity(sesv2, identity, out, rehearsal=None):
    """Says what SES still needs before customers get email."""
    status = sesv2.get_email_identity(EmailIdentity=identity)
    if status.get("VerifiedForSendingStatus"):
        out("  SES identity %s: verified" % identity)
    elif "@" in identity:
        out("  SES identity %s: NOT verified yet: open the link SES sent to that address (docs/deploy.md)"
            % identity)
    else:
        out("  SES identity %s: NOT verified yet: publish its DKIM records in the domain's DNS "
            "(aws sesv2 get-email-identity --email-identity %s; docs/deploy.md)" % (identity, identity))
    try:
        production = sesv2.get_account().get("ProductionAccessEnabled")
    except Exception:  # noqa: BLE001 - the emulator has no GetAccount
        if rehearsal is not None:
            rehearsal.gap("moto's SES has no GetAccount: whether the account is in SES's sandbox is not checked")
        return
    if not production:
        out("  SES: this account is in the SES sandbox: it sends only to verified addresses, 200 a day; "
            "request production access before customers sign up (docs/deploy.md)")
