"""Secrets on a deployed stage come from SSM SecureStrings, once per process;
locally the environment variables win and SSM is never asked."""
import logging

import pytest

from chalicelib.platform import secrets, settings

NAME = "/credits-saas/test/stripe-secret-key"


@pytest.fixture
def parameter(moto_url, monkeypatch):
    import boto3

    ssm = boto3.client("ssm")
    ssm.put_parameter(Name=NAME, Value="sk_test_from_ssm", Type="SecureString", Overwrite=True)
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    monkeypatch.setenv("STRIPE_SECRET_KEY_PARAMETER", NAME)
    secrets.forget()
    yield ssm
    ssm.delete_parameter(Name=NAME)
    secrets.forget()


def counting_fetch(monkeypatch):
    """The names of the parameters actually requested from SSM."""
    from aws_lambda_powertools.utilities.parameters.ssm import SSMProvider

    calls = []
    fetch = SSMProvider._get

    def counted(self, name, *args, **kwargs):
        calls.append(name)
        return fetch(self, name, *args, **kwargs)
    monkeypatch.setattr(SSMProvider, "_get", counted)
    return calls


def test_the_key_is_read_from_its_parameter_once(parameter, monkeypatch):
    calls = counting_fetch(monkeypatch)
    assert settings.stripe_secret_key() == "sk_test_from_ssm"
    assert settings.stripe_secret_key() == "sk_test_from_ssm"
    assert calls == [NAME]


def test_the_environment_wins_and_ssm_is_not_asked(parameter, monkeypatch):
    calls = counting_fetch(monkeypatch)
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_local")
    assert settings.stripe_secret_key() == "sk_test_local"
    assert calls == []


def test_a_missing_parameter_is_none_logged_by_name_and_tried_again(moto_url, monkeypatch, caplog):
    # Chalice's app logger does not propagate once the app is imported.
    monkeypatch.setattr(logging.getLogger("credits-saas"), "propagate", True)
    caplog.set_level(logging.WARNING, logger="credits-saas")
    monkeypatch.delenv("STRIPE_WEBHOOK_SECRET", raising=False)
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET_PARAMETER", "/credits-saas/test/missing")
    secrets.forget()
    calls = counting_fetch(monkeypatch)
    assert settings.stripe_webhook_secret() is None
    assert settings.stripe_webhook_secret() is None
    assert calls == ["/credits-saas/test/missing"] * 2
    assert "/credits-saas/test/missing" in caplog.text


def test_neither_set_means_not_configured(monkeypatch):
    for name in ("STRIPE_SECRET_KEY", "STRIPE_SECRET_KEY_PARAMETER"):
        monkeypatch.delenv(name, raising=False)
    assert settings.stripe_secret_key() is None
