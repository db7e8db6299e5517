"""Privacy: what a person can ask of their own data (UK GDPR) — deleting
their account (`deletion`: a resumable sequence of idempotent steps that
ends with every personal datum erased and the ledger kept for bookkeeping)
and taking a copy of it (`export`). It stands above `orgs` (a person leaves
their organisations on the way out) and below the operators' console.
docs/compliance.md says what is stored, erased and kept, and why."""
from chalicelib import billing, credits, notices, orgs
from chalicelib.platform import once, settings


@once
def account_deletion():
    from chalicelib.privacy.deletion import AccountDeletion  # pynamodb, boto3: off other routes' cold start
    return AccountDeletion(billing.customer_billing, credits.refills, orgs.org_members(), notices.mailer,
                           _cognito, settings.user_pool_id)


@once
def data_export():
    from chalicelib.privacy.export import DataExport  # pynamodb: off other routes' cold start
    return DataExport(orgs.org_directory(), credits.ledger_pages(), billing.stripe, billing.billing_history)


@once
def _cognito():
    import boto3  # off the cold start: only a deletion deletes a Cognito user

    return boto3.client("cognito-idp", region_name=settings.region(), endpoint_url=settings.aws_endpoint_url())
