"""What `make deploy` refuses before it touches AWS."""
import pytest

from scripts.deploy import DeployError
from scripts.deploy.__main__ import confirmed
from scripts.deploy.checks import check_inputs
from scripts.deploy.stage import Stage

TEST_KEY = "sk_test_" + "a" * 24
LIVE_KEY = "sk_live_" + "b" * 24


class Session:
    def __init__(self, credentials=True):
        self.credentials = credentials

    def get_credentials(self):
        return object() if self.credentials else None


def problems(stage="dev", credentials=True, allow=False, **environ):
    try:
        check_inputs(Stage.load(stage), Session(credentials), environ, allow_any_stripe_mode=allow)
    except DeployError as error:
        return str(error)
    return ""


def test_a_test_key_on_dev_and_a_live_key_on_prod_pass():
    assert problems("dev", STRIPE_SECRET_KEY=TEST_KEY) == ""
    assert problems("prod", STRIPE_SECRET_KEY=LIVE_KEY) == ""


def test_the_wrong_mode_for_the_stage_stops_unless_allowed():
    assert "takes a live key" in problems("prod", STRIPE_SECRET_KEY=TEST_KEY)
    assert "takes a test key" in problems("dev", STRIPE_SECRET_KEY=LIVE_KEY)
    assert problems("prod", allow=True, STRIPE_SECRET_KEY=TEST_KEY) == ""


@pytest.mark.parametrize("key", [None, "", "pk_test_" + "a" * 24, "rk_live_" + "a" * 24, "sk_test_short"])
def test_a_missing_or_malformed_key_stops(key):
    environ = {} if key is None else {"STRIPE_SECRET_KEY": key}
    assert "STRIPE_SECRET_KEY" in problems("dev", **environ)


def test_every_problem_is_listed_at_once_and_nothing_is_changed():
    message = problems("dev", credentials=False, GOOGLE_CLIENT_ID="id")
    assert message.startswith("Nothing was changed")
    assert "No AWS credentials" in message and "STRIPE_SECRET_KEY" in message
    assert "GOOGLE_CLIENT_SECRET" in message


def test_an_unknown_stage_names_the_known_ones():
    with pytest.raises(DeployError, match="known stages are dev, prod"):
        Stage.load("staging")
    with pytest.raises(DeployError):
        Stage.load("local")  # runs on the emulators, never deployed


def test_deleting_data_needs_the_stage_name_typed():
    assert confirmed("dev", "dev")
    assert not confirmed("dev", "prod")
    assert confirmed("dev", None, read=lambda prompt: "dev\n")
    assert not confirmed("dev", None, read=lambda prompt: "yes")

    def closed(prompt):
        raise EOFError
    assert not confirmed("dev", None, read=closed)


def test_a_stage_without_an_email_sender_or_with_another_identity_stops(monkeypatch):
    stage = Stage.load("dev")
    monkeypatch.setitem(stage.settings, "email_sender", "")
    monkeypatch.delenv("EMAIL_SENDER", raising=False)
    from scripts.deploy.checks import email_problems
    assert "No email sender for stage dev" in email_problems(stage)[0]
    monkeypatch.setenv("EMAIL_SENDER", "Credits <hello@mail.example.org>")
    assert email_problems(stage) == [] and stage.email_identity == "hello@mail.example.org"
    monkeypatch.setitem(stage.settings, "email_identity", "mail.example.org")
    assert email_problems(stage) == []
    monkeypatch.setitem(stage.settings, "email_identity", "example.net")
    assert "neither the sender's address nor its domain" in email_problems(stage)[0]
