"""What a caller (CLI, GUI, scheduler) asks of the sync, and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from informz_console.sync.runs import RunCounts


class SyncKind(StrEnum):
    REFRESH_LIST = "refresh_list"  # the AMS's groups + personalization fields
    RESYNC_GROUP = "resync_group"  # the members of one group
    PARTIAL = "partial"  # iMIS: Informz_Changes above the stored high-water mark
    FULL = "full"  # iMIS: rebuild Informz_Changes, then consume all of it (staff only)
    CHANGES = "changes"  # iDSS: changes from the change feed, applied to one list


class Trigger(StrEnum):
    MANUAL = "manual"
    LOGIN = "login"
    MAILING = "mailing"
    NIGHTLY = "nightly"
    WEEKEND = "weekend"
    LIST_REFRESH = "list_refresh"
    DEMO = "demo"
    CHANGE_FEED = "change_feed"  # iDSS "real time": the console follows the AMS's changes
    CONTACT_RESYNC = "contact_resync"  # iDSS: uncheck/recheck a contact's list


@dataclass(frozen=True, slots=True)
class SyncRequest:
    bridge: str
    kind: SyncKind = SyncKind.RESYNC_GROUP
    group: str | None = None  # remote key, name or id; only for RESYNC_GROUP
    trigger: Trigger = Trigger.MANUAL
    dry_run: bool = False


@dataclass(frozen=True, slots=True)
class RowChange:
    change: str
    ams_id: str | None
    email: str | None
    reason: str | None
    detail: str | None


@dataclass
class SyncResult:
    run_id: int
    status: str  # succeeded | failed | cancelled
    counts: RunCounts
    error: str | None = None
    summary: str | None = None  # one sentence for results that are not counts (list refresh)
    dry_run: bool = False
    timings: dict[str, float] = field(default_factory=dict)  # seconds: fetch, rules, stage, merge
    merge_steps: dict[str, float] = field(default_factory=dict)  # the merge's seconds, by step
    preview: list[RowChange] = field(default_factory=list)  # dry runs: the changes (capped)

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"
