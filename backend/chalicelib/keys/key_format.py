"""API keys: `ak_<48 hex secret>_<base32 account id>`.

The account id inside the key lets a metered call go straight to the account
item in one conditional write (no lookup, no index); the secret makes the key
unguessable. Only parts of the SHA-256 of the whole key are stored: its first
8 hex digits are the key's id (the name of its slot on the account item), the
next 32 the verifier the metered call compares (128 bits), so that the slot
stays small. A short prefix of the key is kept for display.
"""
import base64
import hashlib
import hmac
import secrets

PREFIX = "ak"
SECRET_BYTES = 24
DISPLAY_CHARS = 11
ID_CHARS = 8
VERIFIER_CHARS = 32


class ApiKey:
    def __init__(self, user_id, secret):
        self.user_id = user_id
        self.secret = secret

    @classmethod
    def generate(cls, user_id):
        return cls(user_id, secrets.token_hex(SECRET_BYTES))

    @property
    def value(self):
        encoded_id = base64.b32encode(self.user_id.encode()).decode().rstrip("=").lower()
        return "%s_%s_%s" % (PREFIX, self.secret, encoded_id)

    @property
    def hash(self):
        return hash_key(self.value)

    @property
    def display_prefix(self):
        return self.value[:DISPLAY_CHARS]

    @property
    def id(self):
        return key_id(self.hash)

    @property
    def verifier(self):
        return verifier(self.hash)


def key_id(key_hash):
    """The key's id: where its slot is on the account item, and its name in the API."""
    return key_hash[:ID_CHARS]


def verifier(key_hash):
    """What the account item keeps of the hash, to check a presented key."""
    return key_hash[ID_CHARS:ID_CHARS + VERIFIER_CHARS]


def hash_key(value):
    return hashlib.sha256(value.encode()).hexdigest()


def parse(value):
    """The key's account id and hash, or None for anything not shaped like a key."""
    if not isinstance(value, str) or len(value) > 512:
        return None
    parts = value.strip().split("_")
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != SECRET_BYTES * 2:
        return None
    try:
        int(parts[1], 16)
        padded = parts[2].upper() + "=" * (-len(parts[2]) % 8)
        user_id = base64.b32decode(padded).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    if not user_id:
        return None
    return user_id, hash_key(value.strip())


def same_hash(a, b):
    return bool(a) and bool(b) and hmac.compare_digest(a, b)
