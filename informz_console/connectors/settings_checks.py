"""Checks the bridge settings of every AMS share: each returns the cleaned value or raises a
ConfigError with the sentence the caller gives (or one naming the AMS), so that each connector
keeps its own wording."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import SplitResult, urlsplit

from informz_console.connectors.errors import ConfigError

MAX_TIMEOUT_S = 3600
# A host name (IDN letters allowed), an IPv4 address or an IPv6 one (brackets already removed):
# no spaces, quotes or semicolons, which no reachable host has.
_HOST = re.compile(r"[\w.-]+|[0-9a-f:.]+(%[\w.-]+)?")


def web_address(
    text: str, bad: str, *, hostname: bool = False, extra_parts: str | None = None
) -> SplitResult:
    """`text` split as a URL; ConfigError(`bad`) unless it is http:// or https:// with a host
    (`hostname`: a host name, not only a user or a port); ConfigError(`extra_parts`), when given,
    if it carries a query or fragment."""
    try:
        url = urlsplit(text)
        url.port  # noqa: B018 - raises ValueError for a port that is not 0 to 65535
    except ValueError:
        raise ConfigError(bad) from None
    host = url.hostname if hostname else url.netloc
    if url.scheme not in ("http", "https") or not host:
        raise ConfigError(bad)
    if url.hostname is not None and not _HOST.fullmatch(url.hostname):
        raise ConfigError(bad)
    if extra_parts is not None and (url.query or url.fragment):
        raise ConfigError(extra_parts)
    return url


def filled_text(value: object, empty: str) -> str:
    """`value` stripped; ConfigError(`empty`) unless it is text with something in it."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(empty)
    return value.strip()


def page_size(value: object, maximum: int, bad: str) -> int:
    """`value`; ConfigError(`bad`) unless it is a whole number (not a bool) from 1 to `maximum`."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ConfigError(bad)
    return value


def timeout_s(value: object, ams: str) -> float:
    """`value`; a ConfigError naming `ams` unless it is a number of seconds in (0, 3600]."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value <= MAX_TIMEOUT_S
    ):
        raise ConfigError(f"The {ams} timeout must be a number of seconds from 0 to 3600.")
    return value


def require_keys(data: Mapping[str, Any], ams: str, keys: Iterable[str]) -> None:
    """A ConfigError naming `ams` and the first of `keys` that `data` lacks or leaves empty."""
    for key in keys:
        if not data.get(key):
            raise ConfigError(
                f"The {ams} bridge settings have no {key.replace('_', ' ')}; "
                f"enter it on the bridge page."
            )


def numbers(
    data: Mapping[str, Any],
    ams: str,
    kinds: Mapping[str, type],
    *,
    labels: Mapping[str, str] | None = None,
    keep_bools: bool = False,
    strict: bool = False,
) -> dict[str, Any]:
    """The keys of `kinds` that `data` sets (not None), each converted by its kind (int, float);
    a ConfigError naming `ams` and the key's label (`labels`, else the key with spaces) where that
    fails. `keep_bools`: a bool is passed on as is (for the constructor to refuse); `strict`: a
    bool, or a fraction where a whole number is wanted, fails."""
    found: dict[str, Any] = {}
    for key, kind in kinds.items():
        value = data.get(key)
        if value is None:
            continue
        if keep_bools and isinstance(value, bool):
            found[key] = value
            continue
        try:
            if strict and (
                isinstance(value, bool)
                or (kind is int and isinstance(value, float) and not value.is_integer())
            ):
                raise ValueError
            found[key] = kind(value)
        except (TypeError, ValueError):
            label = (labels or {}).get(key, key.replace("_", " "))
            raise ConfigError(f"The {ams} {label} setting must be a number.") from None
    return found
