"""A Personify360 bridge's settings: where Personify Data Services is and how to read it.

`PersonifySettings` is validated on construction (each problem is a `ConfigError` with one
sentence) and round-trips through `to_mapping()` / `from_mapping()` as plain JSON for the
mirror's bridge settings column. The password is never part of it: it comes from the keyring.

Keys: `site_url` (the Personify site, e.g. https://personify.example.org; a pasted service URL
ending in /PersonifyDataServices/PersonifyData.svc is cut back to the site), `username` (the PDS
user), `page_size` (the most records one page handed to the sync holds, 1 to 5,000; the server
decides how many rows each response carries), `timeout_s` (per request, 0 to 3,600 seconds),
`member_join` ("expand": one `$expand=CustomerInfo` request per page of members, the default;
"filter": members first, then their CustomerInfos by `$filter` on `or`-ed keys, for a PDS that
refuses `$expand`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from informz_console.connectors import settings_checks as checks
from informz_console.connectors.errors import ConfigError

SERVICE_PATH = "/PersonifyDataServices/PersonifyData.svc"
MAX_PAGE_SIZE = 5000
DEFAULT_PAGE_SIZE = 1000
MEMBER_JOINS = ("expand", "filter")


def _site(value: object) -> str:
    text = value.strip().rstrip("/") if isinstance(value, str) else ""
    if text.lower().endswith(SERVICE_PATH.lower()):
        text = text[: -len(SERVICE_PATH)].rstrip("/")
    url = checks.web_address(
        text,
        "The Personify site URL must be a web address starting with http:// or https://, "
        "e.g. https://personify.example.org.",
        hostname=True,
    )
    if url.username or url.password:
        raise ConfigError(
            "The Personify site URL must not contain a user name or password; enter the user "
            "name in its own field, the bridge keeps the password in the keyring."
        )
    if url.query or url.fragment:
        raise ConfigError("The Personify site URL must not contain '?' or '#' parts.")
    return text


@dataclass(frozen=True)
class PersonifySettings:
    site_url: str
    username: str
    page_size: int = DEFAULT_PAGE_SIZE
    timeout_s: float = 30.0
    member_join: str = "expand"

    def __post_init__(self) -> None:
        object.__setattr__(self, "site_url", _site(self.site_url))
        username = checks.filled_text(
            self.username,
            "The Personify user name is empty; enter the Personify Data Services user's name.",
        )
        checks.page_size(
            self.page_size,
            MAX_PAGE_SIZE,
            f"The Personify page size must be a whole number from 1 to {MAX_PAGE_SIZE:,}.",
        )
        checks.timeout_s(self.timeout_s, "Personify")
        join = self.member_join.strip().lower() if isinstance(self.member_join, str) else None
        if join not in MEMBER_JOINS:
            raise ConfigError(
                "The Personify member join must be 'expand' or 'filter'; use 'filter' only when "
                "Personify Data Services refuses $expand."
            )
        object.__setattr__(self, "member_join", join)
        object.__setattr__(self, "username", username)

    @property
    def service_url(self) -> str:
        return self.site_url + SERVICE_PATH

    def to_mapping(self) -> dict[str, Any]:
        return {
            "site_url": self.site_url,
            "username": self.username,
            "page_size": self.page_size,
            "timeout_s": self.timeout_s,
            "member_join": self.member_join,
        }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PersonifySettings:
        """Settings from `to_mapping()` output; keys this version does not know are ignored."""
        checks.require_keys(data, "Personify", ("site_url", "username"))
        # a bool is refused by the constructor with its own sentence
        kinds = {"page_size": int, "timeout_s": float}
        extra = checks.numbers(data, "Personify", kinds, keep_bools=True, strict=True)
        if data.get("member_join") is not None:
            extra["member_join"] = data["member_join"]
        return cls(site_url=data["site_url"], username=data["username"], **extra)
