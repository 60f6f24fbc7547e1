"""An iDSS bridge's settings: where the iDSS site is and how to page it.

`IdssSettings` is validated on construction (each problem is a `ConfigError` with one sentence)
and round-trips through `to_mapping()` / `from_mapping()` as plain JSON for the mirror's bridge
settings column. The API key is never part of it: it comes from the keyring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from informz_console.connectors.errors import ConfigError

MAX_PAGE_SIZE = 1000  # the iDSS API returns at most 1,000 contacts or changes per page
API_PATH = "/api/v1"


@dataclass(frozen=True)
class IdssSettings:
    site_url: str  # the iDSS site, e.g. https://assoc.idss.example (API at {site}/api/v1)
    page_size: int = 500
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        url = urlsplit(self.site_url.strip()) if isinstance(self.site_url, str) else None
        if url is None or url.scheme not in ("http", "https") or not url.netloc:
            raise ConfigError(
                "The iDSS site URL must be a web address starting with http:// or https://, "
                "e.g. https://assoc.idss.example."
            )
        if url.query or url.fragment:
            raise ConfigError(
                "The iDSS site URL must not carry a query or fragment (?, #); enter the site "
                "address only."
            )
        size = self.page_size
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_PAGE_SIZE:
            raise ConfigError(
                f"The iDSS page size must be a whole number from 1 to {MAX_PAGE_SIZE:,}; the "
                f"iDSS API returns at most {MAX_PAGE_SIZE:,} contacts per page."
            )
        if (
            isinstance(self.timeout_s, bool)
            or not isinstance(self.timeout_s, int | float)
            or (not 0 < self.timeout_s <= 3600)
        ):
            raise ConfigError("The iDSS timeout must be a number of seconds from 0 to 3600.")
        site = self.site_url.strip().rstrip("/")
        if site.lower().endswith(API_PATH):  # the API address pasted instead of the site's
            site = site[: -len(API_PATH)].rstrip("/")
        object.__setattr__(self, "site_url", site)

    @property
    def api_url(self) -> str:
        return self.site_url + API_PATH

    def to_mapping(self) -> dict[str, Any]:
        return {"site_url": self.site_url, "page_size": self.page_size, "timeout_s": self.timeout_s}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> IdssSettings:
        """Settings from `to_mapping()` output; keys this version does not know are ignored."""
        if not data.get("site_url"):
            raise ConfigError(
                "The iDSS bridge settings have no site URL; enter it on the bridge page."
            )
        extra: dict[str, Any] = {}
        for key, label, kind in (("page_size", "page size", int), ("timeout_s", "timeout", float)):
            if data.get(key) is not None:
                value = data[key]
                try:
                    if isinstance(value, bool) or (kind is int and isinstance(value, float)
                                                   and not value.is_integer()):  # fmt: skip
                        raise ValueError
                    extra[key] = kind(value)
                except (TypeError, ValueError):
                    raise ConfigError(f"The iDSS {label} setting must be a number.") from None
        return cls(site_url=data["site_url"], **extra)
