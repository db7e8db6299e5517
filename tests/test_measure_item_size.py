"""DynamoDB's item-size rules, as the cost figures use them."""
from scripts.measure import item_size


def test_numbers_take_one_byte_per_two_significant_digits_plus_one():
    assert [item_size.number_size(n) for n in ("7", "42", "3400", "12345", "-0.0015")] == [2, 2, 2, 4, 2]


def test_an_item_counts_names_strings_numbers_and_map_overheads():
    item = {"user_id": {"S": "abc"}, "usage": {"M": {"2026-11-29": {"N": "12"}}}, "ok": {"BOOL": True}}
    # user_id 7 + 3; usage 5 + (3 + 10 + 2 + 1); ok 2 + 1
    assert item_size.item_size(item) == 10 + 21 + 3
    assert item_size.item_size({"name": {"S": "é"}}) == 4 + 2


def test_write_units_start_a_new_unit_past_each_kilobyte():
    assert [item_size.write_units(n) for n in (0, 1, 1024, 1025, 2048)] == [1, 1, 1, 2, 2]
    assert [item_size.read_units(n) for n in (100, 4096, 4097)] == [1, 1, 2]
    assert item_size.read_units(100, consistent=False) == 0.5
