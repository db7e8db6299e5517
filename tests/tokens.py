"""ID tokens signed the way the Cognito emulator signs them (its key ships
with moto), so tests can mint expired, wrong-audience or otherwise bad tokens
that still carry a valid signature."""
import functools
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import serialization
from moto.utilities.utils import load_resource
from joserfc import jwk


@functools.lru_cache(maxsize=None)
def emulator_key():
    """(private key, kid), loaded once: importing an RSA key checks it, which
    costs more than the request a test makes with it."""
    key = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    return _load_private(key.as_pem(private=True)), key.kid


def claims_for(stack, user_id, email, **overrides):
    now = int(time.time())
    claims = {
        "iss": "https://cognito-idp.%s.amazonaws.com/%s" % (stack["region"], stack["user_pool_id"]),
        "sub": user_id,
        "aud": stack["client_id"],
        "token_use": "id",
        "email": email,
        "auth_time": now,
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sign(claims, private_key=None, kid=None):
    if private_key is None:
        private_key, kid = emulator_key()
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": kid})


@functools.lru_cache(maxsize=None)
def foreign_key():
    """A 2048-bit RSA key the emulator never issued, made once per run."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _load_private(pem):
    return serialization.load_pem_private_key(pem, password=None)


def unsigned(claims):
    """An `alg: none` token."""
    return jwt.encode(claims, None, algorithm="none")
