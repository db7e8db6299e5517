from chalicelib.keys import key_format


def test_generated_key_round_trips_to_its_account_and_hash():
    key = key_format.ApiKey.generate("0f6c-user")
    user_id, key_hash = key_format.parse(key.value)
    assert user_id == "0f6c-user"
    assert key_hash == key.hash == key_format.hash_key(key.value)
    assert key.value.startswith(key.display_prefix)
    assert key.secret not in key.display_prefix


def test_keys_are_unique_and_long():
    values = {key_format.ApiKey.generate("u").value for _ in range(200)}
    assert len(values) == 200
    assert all(len(key_format.ApiKey.generate("u").secret) == 48 for _ in range(5))


def test_hash_is_not_the_key():
    key = key_format.ApiKey.generate("someone")
    assert key.secret not in key.hash


def test_garbage_does_not_parse():
    for value in [None, "", "ak", "ak_123_abc", "sk_" + "a" * 48 + "_ge", "ak_" + "z" * 48 + "_ge",
                  "ak_" + "a" * 48 + "_!!", "ak_" + "a" * 48 + "_", "x" * 600, 42]:
        assert key_format.parse(value) is None, value
