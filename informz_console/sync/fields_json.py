"""The staged text of a record's personalization fields: exactly
`json.dumps(fields without informz_code, sort_keys=True)`, which the merge compares with what
the subscriber holds, so it must never change for the same fields.

Built from the fields' layout: the records of one AMS carry the same field names in the same
order, so the sorted names, each already written as `"name": `, are worked out once per layout
and each value only escaped (the C escaper json.dumps uses) into a template. Measured on 12
Personify fields: json.dumps 7.9 us a record, this 2.2 us; on 2 iMIS fields 4.3 us and 0.95 us.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from json.encoder import encode_basestring_ascii as _escape  # type: ignore[attr-defined]
from operator import itemgetter

CODE_FIELD = "informz_code"  # iDSS carries our subscriber id as a field; it is not a field

_ENCODER = json.JSONEncoder(sort_keys=True)  # for values that are not text (none should be)
# field names as a record holds them -> (the text with a %s per value, the values in that order)
_LAYOUTS: dict[tuple, tuple[str, Callable[[Mapping], tuple]] | None] = {}
_LAYOUTS_MAX = 10_000  # field name sets; an AMS has a handful


def fields_json(fields: Mapping[str, object] | None) -> str | None:
    """None for no fields (or only the Informz code)."""
    if not fields:
        return None
    names = tuple(fields)
    layout = _LAYOUTS[names] if names in _LAYOUTS else _layout(names)
    if layout is None:
        return None
    template, values = layout
    try:
        return template % tuple(map(_escape, values(fields)))
    except TypeError:  # a value that is not text: the general encoder says it as json.dumps
        return _ENCODER.encode({k: v for k, v in fields.items() if k != CODE_FIELD})


def _layout(names: tuple) -> tuple[str, Callable[[Mapping], tuple]] | None:
    if len(_LAYOUTS) >= _LAYOUTS_MAX:
        _LAYOUTS.clear()
    kept = sorted(n for n in names if n != CODE_FIELD)  # json.dumps sorts by the name itself
    layout = None
    if kept:
        # `%` in a name must not read as a placeholder
        template = "{" + ", ".join(_escape(n).replace("%", "%%") + ": %s" for n in kept) + "}"
        values = itemgetter(*kept) if len(kept) > 1 else (lambda f, n=kept[0]: (f[n],))
        layout = (template, values)
    _LAYOUTS[names] = layout
    return layout
