"""A connector over records held in a Python list: an AMS whose data a test sets exactly.

It is a real implementation of the connector protocol (pages, totals, cancel checks), used
where a test needs precise control of what the AMS returns; the real iMIS connector is
tested against the sandbox over ODBC and HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from informz_console.connectors.base import ChangeStream, MemberStream, never_cancelled
from informz_console.connectors.errors import ConnectorError, UnreachableError
from informz_console.domain.records import RemoteChange, RemoteGroup, RemoteRecord


@dataclass
class StaticAms:
    groups: dict[str, list[RemoteRecord]] = field(default_factory=dict)
    changes: list[RemoteChange] = field(default_factory=list)
    page_size: int = 3
    fail_after_pages: int | None = None  # raise UnreachableError after this many pages
    fields: list[str] = field(default_factory=lambda: ["FIRST_NAME", "COMPANY"])
    codes: dict[str, str] = field(default_factory=dict)  # iDSS: contact id -> Informz code
    failing_codes: dict[str, str] = field(default_factory=dict)  # contact id -> system error


class StaticConnector:
    kind = "imis"

    def __init__(self, ams: StaticAms) -> None:
        self.ams = ams
        self.closed = False

    def test(self) -> str:
        return "Connected to the static AMS."

    def list_groups(self) -> list[RemoteGroup]:
        return [RemoteGroup(key, key.rsplit("/", 1)[-1], folder="$/Test")
                for key in self.ams.groups]

    def personalization_fields(self) -> list[str]:
        return list(self.ams.fields)

    def _pages(self, items: list, cancel) -> Iterator[list]:  # type: ignore[no-untyped-def]
        for number, start in enumerate(range(0, len(items), self.ams.page_size)):
            if cancel():
                return
            if self.ams.fail_after_pages is not None and number >= self.ams.fail_after_pages:
                raise UnreachableError("The static AMS dropped the connection.")
            yield items[start : start + self.ams.page_size]

    def group_members(self, remote_key: str, cancel=never_cancelled) -> MemberStream:
        records = self.ams.groups[remote_key]
        return MemberStream(len(records), self._pages(records, cancel))

    def changes_since(self, seqn: int, cancel=never_cancelled) -> ChangeStream:
        changes = [c for c in self.ams.changes if c.seqn > seqn]
        return ChangeStream(len(changes), self._pages(changes, cancel))

    def rebuild_changes(self) -> int:
        return len(self.ams.changes)

    def close(self) -> None:
        self.closed = True


class ContactSyncError(ConnectorError):
    def __init__(self, message: str, request: str, system_error: str) -> None:
        super().__init__(message)
        self.request, self.system_error = request, system_error


class StaticIdssConnector(StaticConnector):
    """The static AMS as iDSS: the Informz code is written back to each contact."""

    kind = "idss"

    def write_informz_code(self, contact_id: str, code: str) -> None:
        if contact_id in self.ams.failing_codes:
            raise ContactSyncError(f"iDSS refused contact {contact_id}.",
                                   f'PATCH /api/v1/contacts/{contact_id} {{"informz_code": '
                                   f'"{code}"}}', self.ams.failing_codes[contact_id])
        self.ams.codes[contact_id] = code
