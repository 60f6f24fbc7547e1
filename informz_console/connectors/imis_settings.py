"""An iMIS bridge's settings: where the database and the REST API are, and what to sync.

`ImisSettings` is validated on construction (each problem is a `ConfigError` with one sentence)
and round-trips through `to_mapping()` / `from_mapping()` as plain JSON for the mirror's bridge
settings column. The password is never part of it: it comes from the keyring.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from informz_console.connectors import settings_checks as checks
from informz_console.connectors.errors import ConfigError
from informz_console.domain.email_source import EmailSource
from informz_console.domain.statuses import DEFAULT_ACCEPTED, AcceptedStatuses

MAX_PAGE_SIZE = 500  # iMIS REST returns at most 500 rows per page
_PASSWORD_KEY = re.compile(r"(?:^|;)\s*(?:PWD|PASSWORD)\s*=", re.IGNORECASE)
_USER_KEY = re.compile(r"(?:^|;)\s*(?:UID|USER ID|USER)\s*=", re.IGNORECASE)


def _default_statuses() -> AcceptedStatuses:
    return AcceptedStatuses.parse(DEFAULT_ACCEPTED)


@dataclass(frozen=True)
class ImisSettings:
    connection_string: str  # ODBC, without the password
    site_url: str  # the iMIS site, e.g. https://imis.example.org (REST at /token, /api/iqa)
    username: str  # the integration user, for REST and, via UID, the database
    accepted_statuses: AcceptedStatuses = field(default_factory=_default_statuses)
    email_source: EmailSource = field(default_factory=EmailSource)
    page_size: int = MAX_PAGE_SIZE
    ud_table: str | None = None  # IPM: the UD table holding the opt-out / interest checkboxes
    ud_table_prefix: str | None = None  # IPM discovery: UD tables whose name starts with this
    # IPM (seed 004): the UD checkbox fields the admin chose, "TABLE.FIELD"; each becomes an
    # interest-based target group of the people whose box is checked.
    remote_interests: tuple[str, ...] = ()
    timeout_s: float = 30.0

    def __post_init__(self) -> None:
        checks.filled_text(
            self.connection_string,
            "The iMIS ODBC connection string is empty; enter the one for the iMIS database.",
        )
        if _PASSWORD_KEY.search(self.connection_string):
            raise ConfigError(
                "The iMIS ODBC connection string must not contain a password (PWD=); "
                "the bridge keeps the password in the keyring."
            )
        site = self.site_url.strip() if isinstance(self.site_url, str) else ""
        checks.web_address(
            site,
            "The iMIS site URL must be a web address starting with http:// or "
            "https://, e.g. https://imis.example.org.",
        )
        username = checks.filled_text(
            self.username, "The iMIS user name is empty; enter the integration user's name."
        )
        checks.page_size(
            self.page_size,
            MAX_PAGE_SIZE,
            f"The iMIS page size must be a whole number from 1 to "
            f"{MAX_PAGE_SIZE}, because iMIS returns at most {MAX_PAGE_SIZE} "
            f"rows per page.",
        )
        checks.timeout_s(self.timeout_s, "iMIS")
        for name in ("ud_table", "ud_table_prefix"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise ConfigError(f"The iMIS {name.replace('_', ' ')} setting must be text.")
            object.__setattr__(self, name, (value or "").strip() or None)
        object.__setattr__(self, "site_url", site.rstrip("/"))
        object.__setattr__(self, "username", username)

    @property
    def has_database_user(self) -> bool:
        """True when the connection string names a database user (UID), so PWD is appended."""
        return bool(_USER_KEY.search(self.connection_string))

    def to_mapping(self) -> dict[str, Any]:
        return {
            "connection_string": self.connection_string,
            "site_url": self.site_url,
            "username": self.username,
            "accepted_statuses": self.accepted_statuses.codes(),
            "email_source": str(self.email_source),
            "page_size": self.page_size,
            "ud_table": self.ud_table,
            "ud_table_prefix": self.ud_table_prefix,
            "remote_interests": list(self.remote_interests),
            "timeout_s": self.timeout_s,
        }

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ImisSettings:
        """Settings from `to_mapping()` output; keys this version does not know are ignored."""
        checks.require_keys(data, "iMIS", ("connection_string", "site_url", "username"))
        try:
            codes = data.get("accepted_statuses") or list(DEFAULT_ACCEPTED)
            if isinstance(codes, str):
                codes = codes.split(",")
            statuses = AcceptedStatuses.parse(codes)
            source = EmailSource.parse(data.get("email_source"))
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        extra = checks.numbers(data, "iMIS", {"page_size": int, "timeout_s": float}, strict=True)
        return cls(
            connection_string=data["connection_string"],
            site_url=data["site_url"],
            username=data["username"],
            accepted_statuses=statuses,
            email_source=source,
            ud_table=data.get("ud_table"),
            ud_table_prefix=data.get("ud_table_prefix"),
            remote_interests=_interests(data.get("remote_interests")),
            **extra,
        )


def _interests(value: object) -> tuple[str, ...]:
    """'TABLE.FIELD' entries, from a list or a comma-separated text."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    chosen = tuple(str(item).strip() for item in items if str(item).strip())
    for item in chosen:
        table, _, field_name = item.partition(".")
        if not table or not field_name:
            raise ConfigError(f"The remote interest {item!r} is not TABLE.FIELD; name a UD "
                              f"table's checkbox field, e.g. Informz_Preferences.NEWSLETTER.")
    return chosen
