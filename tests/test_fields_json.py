"""The staged text of personalization fields is json.dumps's, exactly: the merge compares it
with what each subscriber already holds, so a different spelling would update everyone."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from informz_console.sync.fields_json import CODE_FIELD, fields_json

NAMES = st.one_of(st.text(max_size=12),
                  st.sampled_from([CODE_FIELD, "EXCLUDE_MAIL", "Ä", '"q', "%s", "%"]))
VALUES = st.one_of(st.text(max_size=30), st.none(), st.integers(), st.booleans(), st.floats())


def expected(fields: dict) -> str | None:
    kept = {k: v for k, v in fields.items() if k != CODE_FIELD}
    return json.dumps(kept, sort_keys=True) if kept else None


@given(st.dictionaries(NAMES, st.text(max_size=30), max_size=15))
def test_text_fields_are_written_as_json_dumps_writes_them(fields: dict) -> None:
    assert fields_json(fields) == expected(fields)


@given(st.dictionaries(NAMES, VALUES, max_size=8))
def test_any_value_is_written_as_json_dumps_writes_it(fields: dict) -> None:
    assert fields_json(fields) == expected(fields)


def test_the_same_names_in_another_order_give_the_same_text() -> None:
    a = {"b": "2", "a": "1", CODE_FIELD: "X1"}
    assert fields_json(a) == fields_json({"a": "1", "b": "2"}) == '{"a": "1", "b": "2"}'
    assert fields_json({CODE_FIELD: "X1"}) is None and fields_json({}) is None
