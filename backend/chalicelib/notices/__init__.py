"""Notices: the email the product sends its customers — the templates of
every kind, with a text and an HTML part, the product's name and a footer
saying why it was sent (`templates`); recording a cause in the outbox, once
per cause, after the change it is about and never failing it (`outbox`);
sending what the outbox holds through SES v2 from the ledger table's stream,
once per item, retried when SES or DynamoDB fail (`sender`); and the
customer's opt-outs of the optional kinds (`preferences`).

It stands right above `platform` and imports no other domain: the domains
above record their causes through it (`notices.record(account_id, kind,
cause, **values)`), e.g. billing a renewal that failed, operators a
suspension. docs/architecture.md follows an email from its cause to SES."""
from chalicelib.platform import once, settings


@once
def recorder():
    """Records causes in the outbox (chalicelib.notices.outbox)."""
    from chalicelib.notices.outbox import Outbox  # pynamodb: off the cold start of the routes that send nothing
    return Outbox()


def record(account_id, kind, cause, /, **values):
    """Records the email `kind` for `cause` (its id: an invoice, a refund, an
    audit record), once; never raises. True: recorded now; False: recorded
    before; None: recording failed (logged and counted)."""
    return recorder().record(account_id, kind, cause, **values)


@once
def mailer():
    """What the `send_emails` handler runs on the stream's records."""
    from chalicelib.notices.sender import Sender  # pynamodb and boto3: only the sender's Lambda needs them
    return Sender(_ses_client, settings.email_sender(), settings.product_name(), settings.account_url(),
                  settings.notification_settings_url())


@once
def _ses_client():
    import boto3  # off the cold start: only the sender sends

    return boto3.client("sesv2", region_name=settings.region(), endpoint_url=settings.aws_endpoint_url())
