"""Shared by the email tests: the emulator's inbox (scripts/devstack/inbox.py).
The `outbox_stream` fixture (conftest) hands the ledger table's stream to the
app's `send_emails` as the local stack does."""
from scripts.devstack import inbox


def inbox_of(user):
    """The user's emails, newest first."""
    return [message for message in inbox.messages() if message["to"] == user.email]
