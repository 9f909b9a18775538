from dxs.validator.json_positions import locate, pointer_of


def test_pointers_escape_per_rfc6901():
    assert pointer_of(["a/b", "c~d", 0]) == "/a~1b/c~0d/0"


def test_locates_nested_values_keys_with_escapes_and_arrays():
    text = '{\n  "a": [1,\n    {"x/y": true}],\n  "b": "s\\"}",\n  "c": {}\n}'
    found = locate(text, ["", "/a", "/a/1", "/a/1/x~1y", "/b", "/c", "/missing"])
    assert found[""] == (1, 1)
    assert found["/a"] == (2, 8)
    assert found["/a/1"] == (3, 5)
    assert found["/a/1/x~1y"] == (3, 13)
    assert found["/b"] == (4, 8)
    assert found["/c"] == (5, 8)
    assert "/missing" not in found
