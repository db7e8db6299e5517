"""API keys: the key format (`ak_<secret>_<account>`: the key names its
account, only a hash of the secret is stored — `key_format`), an account's
named keys with their last use (`account_keys`), and per-key rate limits
checked inside the metered call's one conditional write (`rate_limits`)."""
from chalicelib.platform import once


@once
def api_keys():
    """The account's keys: list, create, rename, revoke."""
    from chalicelib.keys.account_keys import ApiKeys  # pynamodb: off the cold start of other routes
    return ApiKeys()
