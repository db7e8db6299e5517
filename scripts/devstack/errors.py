"""The one error the local stack reports to a person."""


class Failure(Exception):
    """Startup or a child process failed; the message says what to do."""
