"""The Free-plan refill state machine: statemachine.asl.json and the values of
its placeholders, in one place for deployment and for the local stack.

The definition keeps CloudFormation's `DefinitionSubstitutions` syntax
(`${AccountsTable}`, `${LedgerTable}`, `${AlertTopicArn}`). `substitutions()`
is the single source of their values; a CloudFormation template can pass the
same dict as `DefinitionSubstitutions`, and `render()` applies it for the
Step Functions API (the local stack, the tests, scripted deploys).

    python scripts/statemachine.py render --alert-topic-arn arn:aws:sns:...
    python scripts/statemachine.py substitutions
"""
import argparse
import json
import os
import re


from scripts import ROOT

DEFINITION_PATH = os.path.join(ROOT, "statemachine.asl.json")
DEFAULT_NAME = "credits-saas-refill"
ALERT_TOPIC_NAME = "credits-saas-refill-alerts"
ALERT_QUEUE_NAME = "credits-saas-refill-alerts"
ALERT_TOPIC_ENV = "REFILL_ALERT_TOPIC_ARN"
# The emulator does not check IAM; in AWS the role comes from the deployment.
LOCAL_ROLE_ARN = "arn:aws:iam::123456789012:role/credits-saas-refill"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def definition_text(path=DEFINITION_PATH):
    with open(path) as handle:
        return handle.read()


def placeholders(text=None):
    return set(PLACEHOLDER.findall(definition_text() if text is None else text))


def substitutions(alert_topic_arn=None, accounts_table=None, ledger_table=None):
    """Placeholder values; table names default to the stage settings (the
    same environment variables the app reads), the topic to REFILL_ALERT_TOPIC_ARN."""
    from chalicelib.platform import settings

    topic = alert_topic_arn or os.environ.get(ALERT_TOPIC_ENV)
    if not topic:
        raise ValueError("No alert topic: pass alert_topic_arn or set %s." % ALERT_TOPIC_ENV)
    return {
        "AccountsTable": accounts_table or settings.accounts_table(),
        "LedgerTable": ledger_table or settings.ledger_table(),
        "AlertTopicArn": topic,
    }


def render(values, text=None):
    """The definition with every `${Name}` replaced; a missing value is an
    error, never a silently broken definition."""
    text = definition_text() if text is None else text
    missing = placeholders(text) - set(values)
    if missing:
        raise KeyError("No value for placeholder(s): %s" % ", ".join(sorted(missing)))

    def replace(match):
        return json.dumps(str(values[match.group(1)]))[1:-1]

    rendered = PLACEHOLDER.sub(replace, text)
    json.loads(rendered)
    return rendered


def create_state_machine(sfn_client, name=DEFAULT_NAME, role_arn=None, alert_topic_arn=None):
    """Create (or update) the refill state machine; returns its ARN. Without an
    alert topic on the local stack, an emulator topic is created whose
    messages land in an SQS queue (see `local_alerts`)."""
    if not alert_topic_arn and not os.environ.get(ALERT_TOPIC_ENV):
        if not _is_emulator(sfn_client):
            raise ValueError("In AWS the alert topic is part of the deployment: pass "
                             "alert_topic_arn or set %s." % ALERT_TOPIC_ENV)
        alert_topic_arn = ensure_local_alert_topic(sfn_client)
    rendered = render(substitutions(alert_topic_arn=alert_topic_arn))
    role_arn = role_arn or LOCAL_ROLE_ARN
    existing = _find_state_machine(sfn_client, name)
    if existing:
        sfn_client.update_state_machine(stateMachineArn=existing, definition=rendered, roleArn=role_arn)
        return existing
    response = sfn_client.create_state_machine(name=name, definition=rendered, roleArn=role_arn,
                                               type="STANDARD")
    return response["stateMachineArn"]


def _find_state_machine(sfn_client, name):
    for page in sfn_client.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == name:
                return machine["stateMachineArn"]
    return None


def _is_emulator(sfn_client):
    return "amazonaws.com" not in (sfn_client.meta.endpoint_url or "amazonaws.com")


def _client_like(sfn_client, service):
    """A client of the same emulator (which accepts any credentials)."""
    import boto3

    return boto3.client(service, region_name=sfn_client.meta.region_name,
                        endpoint_url=sfn_client.meta.endpoint_url,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def ensure_local_alert_topic(sfn_client):
    """The emulator's alert topic, subscribed by a queue so that alerts can be
    read from any process. Only for the local stack."""
    sns = _client_like(sfn_client, "sns")
    sqs = _client_like(sfn_client, "sqs")
    topic_arn = sns.create_topic(Name=ALERT_TOPIC_NAME)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=ALERT_QUEUE_NAME)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    subscribed = any(sub["Endpoint"] == queue_arn
                     for sub in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"])
    if not subscribed:
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                      Attributes={"RawMessageDelivery": "true"})
    return topic_arn


def local_alerts(sqs_client, wait_seconds=0):
    """Alerts published on the local stack (consumed once read)."""
    queue_url = sqs_client.get_queue_url(QueueName=ALERT_QUEUE_NAME)["QueueUrl"]
    response = sqs_client.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                          WaitTimeSeconds=wait_seconds)
    messages = response.get("Messages", [])
    for message in messages:
        sqs_client.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return [message["Body"] for message in messages]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["render", "substitutions"])
    parser.add_argument("--alert-topic-arn")
    parser.add_argument("--accounts-table")
    parser.add_argument("--ledger-table")
    args = parser.parse_args(argv)
    values = substitutions(alert_topic_arn=args.alert_topic_arn, accounts_table=args.accounts_table,
                           ledger_table=args.ledger_table)
    if args.command == "substitutions":
        print(json.dumps(values, indent=2))
    else:
        print(render(values))


if __name__ == "__main__":
    main()
