"""What one sync run is asked to do: its bridge and group, its kind, how it fetches, and what
follows its merge. Built by sync/service.py and sync/follow.py, carried out by
sync/pipeline.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Connection

from informz_console.domain.eligibility import SyncPolicy
from informz_console.domain.record_digest import Split
from informz_console.domain.records import RemoteRecord
from informz_console.sync.cancel import CancelToken
from informz_console.sync.last_synced import LastSynced
from informz_console.sync.requests import SyncKind
from informz_console.sync.runs import RunRecorder

# pages of records, or pages already split by what is as last synced (sync/last_synced)
Fetch = Callable[[CancelToken], tuple[int | None, Iterator[list[RemoteRecord] | Split]]]


class SyncError(Exception):
    """A sync could not start (unknown bridge or group, missing password, not allowed)."""


@dataclass
class RunPlan:
    bridge_id: int
    bridge_kind: str
    group_id: int | None
    kind: SyncKind
    trigger: str
    dry_run: bool
    policy: SyncPolicy
    fetch: Fetch
    after_merge: Callable[[Connection], None] | None = None  # e.g. store a high-water mark
    email_change_moves: bool = False  # iDSS: a changed email lands on a new subscriber
    # After a live run committed, with the stage still there (iDSS: write the Informz codes).
    after_commit: Callable[[Connection, RunRecorder], None] | None = None
    # A change feed applied to one group touches only the records it carries ("records"),
    # keeps the newest change of a record, and may say some records left the group.
    scope: str = "group"  # "group": the fetch is the whole group | "records"
    leaving: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)  # log lines known before the run
    # A group's resync passes over the records that are as last synced (sync/last_synced);
    # the fetch may split its pages itself (a process of its own does).
    last_synced: LastSynced | None = None

    @property
    def is_change_feed(self) -> bool:
        """A partial sync (or full refresh), or a feed applied to one group: of a record it
        carries twice, the newest change counts."""
        return self.group_id is None or self.scope == "records"

    @property
    def expects_few_records(self) -> bool:
        """A change feed, but not a full refresh (it carries every record of the bridge)."""
        return self.is_change_feed and self.kind is not SyncKind.FULL


