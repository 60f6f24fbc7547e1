"""A netFORUM Pro bridge's settings: where xWeb is, who signs in, how big a page is.

`NetforumSettings` is validated on construction (each problem is a `ConfigError` with one
sentence) and round-trips through `to_mapping()` / `from_mapping()` as plain JSON for the mirror's
bridge settings column. The password is never part of it: it comes from the keyring.

`site_url` is the netFORUM site (`https://xx.netforumpro.com`); xWeb is at
`{site_url}/xweb/secure/netForumXML.asmx`. A pasted xWeb address (with or without `?WSDL`) is
accepted and cut back to the site.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from informz_console.connectors import settings_checks as checks

XWEB_PATH = "/xweb/secure/netForumXML.asmx"
MAX_PAGE_SIZE = 10_000
_XWEB_SUFFIX = re.compile(r"/xweb/secure/netforumxml\.asmx/?(\?wsdl)?$", re.IGNORECASE)


@dataclass(frozen=True)
class NetforumSettings:
    site_url: str  # the netFORUM site, e.g. https://example.netforumpro.com
    username: str  # the xWeb user
    page_size: int = 1000  # records per page handed to the sync (the answer itself is one)
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        site = self.site_url.strip() if isinstance(self.site_url, str) else ""
        site = _XWEB_SUFFIX.sub("", site.rstrip("/")).rstrip("/")
        bad_site = (
            "The netFORUM site URL must be a web address starting with http:// or "
            "https://, e.g. https://example.netforumpro.com."
        )
        checks.web_address(site, bad_site, extra_parts=bad_site)
        username = checks.filled_text(
            self.username, "The netFORUM user name is empty; enter the xWeb user's name."
        )
        checks.page_size(
            self.page_size,
            MAX_PAGE_SIZE,
            f"The netFORUM page size must be a whole number from 1 to {MAX_PAGE_SIZE:,}.",
        )
        checks.timeout_s(self.timeout_s, "netFORUM")
        object.__setattr__(self, "site_url", site)
        object.__setattr__(self, "username", username)

    @property
    def endpoint_url(self) -> str:
        """The xWeb SOAP endpoint."""
        return self.site_url + XWEB_PATH

    @property
    def wsdl_url(self) -> str:
        return self.endpoint_url + "?WSDL"

    def to_mapping(self) -> dict[str, Any]:
        return {
            "site_url": self.site_url,
            "username": self.username,
            "page_size": self.page_size,
            "timeout_s": self.timeout_s,
        }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> NetforumSettings:
        """Settings from `to_mapping()` output; keys this version does not know are ignored."""
        checks.require_keys(data, "netFORUM", ("site_url", "username"))
        extra = checks.numbers(data, "netFORUM", {"page_size": int, "timeout_s": float},
                               strict=True)
        return cls(site_url=data["site_url"], username=data["username"], **extra)
