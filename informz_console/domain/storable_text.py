"""Text a mirror can store. PostgreSQL refuses a NUL character, and neither SQLite's nor
PostgreSQL's driver can encode a lone surrogate (half of a UTF-16 pair: valid in a JSON escape,
so an AMS can hand one over). One such name once failed a whole sync at the stage insert; the
JSON connectors now read them as U+FFFD (connectors/json_answer), and this keeps any other
source from doing the same."""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str) -> bool:
    # isascii costs nothing (CPython keeps the flag) and is true of nearly every record: then
    # only a NUL can be wrong
    if text.isascii():
        return "\x00" not in text
    return _UNSTORABLE.search(text) is None


def made_storable(text: str) -> str:
    """NULs dropped, each lone surrogate the replacement character U+FFFD."""
    return without_lone_surrogates(text.replace("\x00", ""))


def without_lone_surrogates(text: str) -> str:
    return _LONE_SURROGATE.sub("\ufffd", text)
