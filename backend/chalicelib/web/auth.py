"""Who is calling: the Cognito ID token's claims.

In AWS, API Gateway's Cognito authorizer has verified the token and passes
its claims. On the local stack (`AUTH_MODE=local`) nothing verifies it
upstream, so the app checks signature (JWKS), issuer, audience, token_use and
expiry itself.
"""
from chalicelib.platform import settings
from chalicelib.platform.errors import Forbidden, Unauthorized

LEEWAY_SECONDS = 5
OPERATORS_GROUP = "admins"


class Identity:
    def __init__(self, user_id, email=None, groups=()):
        self.user_id = user_id
        self.email = email
        self.groups = frozenset(groups)

    @property
    def operator_id(self):
        """How the audit names an operator signed in to the web app."""
        return "cognito:%s" % self.user_id


def identity(request):
    if settings.auth_mode() == "local":
        claims = _verifier().verify(bearer_token(request.headers.get("authorization")))
    else:
        claims = ((request.context or {}).get("authorizer") or {}).get("claims") or {}
    if claims.get("token_use") not in (None, "id") or not claims.get("sub"):
        raise Unauthorized("An ID token is required.", code="invalid_token")
    return Identity(claims["sub"], claims.get("email"), token_groups(claims.get("cognito:groups")))


def operator(request):
    """The caller, if the ID token says they are in the operators' group;
    a 401 without a valid token, a 403 for everyone else."""
    caller = identity(request)
    if OPERATORS_GROUP not in caller.groups:
        raise Forbidden("This needs an operator's account.", code="forbidden")
    return caller


def token_groups(claim):
    """The `cognito:groups` claim as a set: a list in a verified token, a
    string ("[admins, other]" or "admins other") in API Gateway's claims."""
    if claim is None:
        return frozenset()
    if isinstance(claim, (list, tuple)):
        return frozenset(str(name) for name in claim)
    text = str(claim).strip().strip("[]")
    return frozenset(name for name in text.replace(",", " ").split() if name)


def bearer_token(header):
    if not header or not header.strip():
        raise Unauthorized("The Authorization header is missing.", code="missing_token")
    parts = header.strip().split()
    if len(parts) == 2 and parts[0].lower() == "bearer":
        return parts[1]
    if len(parts) == 1:
        return parts[0]
    raise Unauthorized("The Authorization header is malformed.", code="invalid_token")


class TokenVerifier:
    def __init__(self, jwks_url, issuer, audience):
        import jwt  # cryptography: only local mode verifies tokens itself

        self._jwt = jwt
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=3600, timeout=5)
        self._issuer = issuer
        self._audience = audience

    def verify(self, token):
        jwt = self._jwt
        try:
            signing_key = self._jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token, signing_key.key, algorithms=["RS256"], audience=self._audience,
                issuer=self._issuer, leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "token_use"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise Unauthorized("The ID token is not valid: %s" % _reason(error), code="invalid_token")
        if claims.get("token_use") != "id":
            raise Unauthorized("An ID token is required.", code="invalid_token")
        return claims


def _reason(error):
    text = str(error) or type(error).__name__
    return text[:120]


_verifiers = {}


def _verifier():
    """One verifier (and JWKS cache) per pool and client."""
    cache_key = (settings.jwks_url(), settings.token_issuer(), settings.user_pool_client_id())
    if cache_key not in _verifiers:
        _verifiers[cache_key] = TokenVerifier(*cache_key)
    return _verifiers[cache_key]
