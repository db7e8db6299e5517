"""scripts/devstack/updated_attributes.py: the paths an update expression
writes, and the UPDATED_NEW answer cut from the item as written."""
from scripts.devstack.updated_attributes import project, top_level_items, updated_new, updated_paths

ITEM = {
    "credits": {"N": "7"},
    "plan": {"S": "Free"},
    "lb": {"NULL": True},
    "usage": {"M": {"2026-12-03": {"N": "4"}, "2026-12-04": {"N": "2"}}},
    "k": {"M": {"key1": {"M": {"h": {"S": "hash"}, "q": {"L": [{"N": "10"}, {"N": "11"}]}}}}},
    "tags": {"SS": ["a", "b"]},
}


def test_set_add_and_delete_name_their_targets_and_remove_names_none():
    expression = ("SET #0 = #0 - :0, #1.#2 = (if_not_exists(#1.#2, :1) + :0), #3.#4.#5[101] = :2, "
                  "#6 = if_not_exists(#6, :3) REMOVE #3.#4.#5[0] ADD #7 :4 DELETE #8 :5")
    names = {"#0": "credits", "#1": "usage", "#2": "2026-12-04", "#3": "k", "#4": "key1", "#5": "q",
             "#6": "lb", "#7": "visits", "#8": "tags"}
    assert updated_paths(expression, names) == [
        ["credits"], ["usage", "2026-12-04"], ["k", "key1", "q", 101], ["lb"], ["visits"], ["tags"]]


def test_keywords_are_case_blind_and_placeholders_named_like_keywords_are_not_keywords():
    assert updated_paths("set #set = :remove, plain.b[ 2 ] = :x remove #add", {"#set": "s"}) == [
        ["s"], ["plain", "b", 2]]
    assert updated_paths("REMOVE a, b", {}) == []
    assert top_level_items(" a = f(b, c) , d = :e ,") == ["a = f(b, c)", "d = :e"]


def test_an_unchanged_attribute_is_answered_like_a_changed_one():
    assert updated_new(ITEM, "SET credits = credits - :c, plan = if_not_exists(plan, :free), lb = lb", {}) == {
        "credits": {"N": "7"}, "plan": {"S": "Free"}, "lb": {"NULL": True}}


def test_a_nested_path_answers_its_fragment_and_fragments_merge():
    answer = project(ITEM, [["usage", "2026-12-04"], ["k", "key1", "h"], ["k", "key1", "q", 1]])
    assert answer == {"usage": {"M": {"2026-12-04": {"N": "2"}}},
                      "k": {"M": {"key1": {"M": {"h": {"S": "hash"}, "q": {"L": [{"N": "11"}]}}}}}}
    assert ITEM["usage"]["M"]["2026-12-03"] == {"N": "4"}  # the item is not cut down itself


def test_an_append_answers_the_whole_list_and_missing_paths_answer_nothing():
    assert project(ITEM, [["k", "key1", "q", 101]]) == {"k": {"M": {"key1": {"M": {"q": ITEM["k"]["M"]["key1"]["M"]["q"]}}}}}
    assert project(ITEM, [["gone"], ["credits", "x"], ["plan", 0], ["usage", "2020-01-01"]]) == {}
