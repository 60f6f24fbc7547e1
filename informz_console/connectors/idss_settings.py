"""An iDSS bridge's settings: where the iDSS site is and how to page it.

`IdssSettings` is validated on construction (each problem is a `ConfigError` with one sentence)
and round-trips through `to_mapping()` / `from_mapping()` as plain JSON for the mirror's bridge
settings column. The API key is never part of it: it comes from the keyring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from informz_console.connectors import settings_checks as checks
from informz_console.connectors.errors import ConfigError

MAX_PAGE_SIZE = 1000  # the iDSS API returns at most 1,000 contacts or changes per page
API_PATH = "/api/v1"


@dataclass(frozen=True)
class IdssSettings:
    site_url: str  # the iDSS site, e.g. https://assoc.idss.example (API at {site}/api/v1)
    page_size: int = 500
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        site = self.site_url.strip() if isinstance(self.site_url, str) else ""
        checks.web_address(
            site,
            "The iDSS site URL must be a web address starting with http:// or https://, "
            "e.g. https://assoc.idss.example.",
            extra_parts="The iDSS site URL must not carry a query or fragment (?, #); enter the "
            "site address only.",
        )
        checks.page_size(
            self.page_size,
            MAX_PAGE_SIZE,
            f"The iDSS page size must be a whole number from 1 to {MAX_PAGE_SIZE:,}; the "
            f"iDSS API returns at most {MAX_PAGE_SIZE:,} contacts per page.",
        )
        checks.timeout_s(self.timeout_s, "iDSS")
        site = site.rstrip("/")
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
        extra = checks.numbers(
            data,
            "iDSS",
            {"page_size": int, "timeout_s": float},
            labels={"timeout_s": "timeout"},
            strict=True,
        )
        return cls(site_url=data["site_url"], **extra)
