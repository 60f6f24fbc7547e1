"""The small protocol every AMS connector implements.

A connector is created from a bridge's settings plus its secret (from the keyring) and talks to
one AMS. It never touches the mirror: it yields `RemoteRecord`s in pages and the sync decides.

Guarantees every connector keeps:
- pages are bounded (`page_size`), so a 1M-member group is never held whole in memory;
- errors are `ConnectorError`s whose text is one clear sentence and never contains the secret;
- `cancel` (a callable returning True when the user asked to stop) is checked between pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from informz_console.domain.records import RemoteChange, RemoteGroup, RemoteRecord

CancelCheck = Callable[[], bool]


def never_cancelled() -> bool:
    return False


@dataclass
class MemberStream:
    """A group's members, page by page. `total` is the AMS's count when it tells one up front."""

    total: int | None
    pages: Iterator[list[RemoteRecord]]
    # Set by a connector's `group_rows`: the pages are then the AMS's own rows (the AMS id
    # first), and this makes a RemoteRecord of one.
    to_record: Callable[[tuple], RemoteRecord] | None = None


@dataclass
class ChangeStream:
    """Changes above a high-water mark, page by page, ordered by `seqn`."""

    total: int | None
    pages: Iterator[list[RemoteChange]]


class Connector(Protocol):
    kind: str

    def test(self) -> str:
        """Check the endpoint and credentials; return one sentence describing what answered."""

    def list_groups(self) -> list[RemoteGroup]:
        """The AMS's target groups (refresh target group list)."""

    def personalization_fields(self) -> list[str]:
        """Field names available for personalization."""

    def group_members(self, remote_key: str, cancel: CancelCheck = never_cancelled) -> MemberStream:
        """The members of one group, streamed in pages."""

    def close(self) -> None: ...


class ChangeFeedConnector(Connector, Protocol):
    """An AMS with a change table (iMIS Informz_Changes): partial and full refresh."""

    def changes_since(self, seqn: int, cancel: CancelCheck = never_cancelled) -> ChangeStream: ...

    def rebuild_changes(self) -> int:
        """Full refresh: empty the change table and rebuild it from the accepted statuses."""
