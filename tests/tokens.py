"""ID tokens signed the way the Cognito emulator signs them (its key ships
with moto), so tests can mint expired, wrong-audience or otherwise bad tokens
that still carry a valid signature."""
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives import serialization
from moto.utilities.utils import load_resource
from joserfc import jwk


def emulator_key():
    key = jwk.RSAKey.import_key(load_resource("cognitoidp/resources/jwks-private.json"))
    return key.as_pem(private=True), key.kid


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


def sign(claims, private_pem=None, kid=None):
    if private_pem is None:
        private_pem, kid = emulator_key()
    return jwt.encode(claims, private_pem, algorithm="RS256", headers={"kid": kid})


def foreign_key_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def unsigned(claims):
    """An `alg: none` token."""
    return jwt.encode(claims, None, algorithm="none")
