"""The runs of the sync log: a lazy table over run ids, newest first."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from PySide6.QtCore import Qt

from informz_console.store.queries.runs import RunRow, runs_by_id
from informz_console.ui.lazy_model import LazyTableModel
from informz_console.ui.logs import format as fmt
from informz_console.ui.services import Services

COLUMNS = ("Run", "Bridge", "Target group", "Trigger", "Kind", "Mode", "Started (UTC)",
           "Duration", "Status", "Fetched", "Added", "Updated", "Removed", "Excluded")
WIDTHS = (56, 150, 190, 90, 105, 70, 150, 80, 90, 70, 70, 70, 70, 72)
NUMERIC = frozenset({0, 7, 9, 10, 11, 12, 13})
STATUS = COLUMNS.index("Status")
GROUP = COLUMNS.index("Target group")


def _cells(run: RunRow) -> tuple[Any, ...]:
    return (run.id, run.bridge, run.group or "", fmt.words(run.trigger), fmt.kind(run.kind),
            fmt.mode(run.mode), fmt.when(run.started_at), fmt.duration(run.duration_s),
            fmt.words(run.status), *(fmt.count(n) for n in (
                run.fetched, run.added, run.updated, run.removed, run.excluded)))


class RunsModel(LazyTableModel):
    def __init__(self, services: Services, parent: Any = None) -> None:
        super().__init__(COLUMNS, self._fetch, parent)
        self.services = services

    def _fetch(self, keys: Sequence[Hashable]) -> dict[Hashable, Any]:
        with self.services.session() as session:
            return dict(runs_by_id(session, [int(k) for k in keys]))  # type: ignore[call-overload]

    def display(self, row: Any, column: int) -> Any:
        return _cells(row)[column]

    def foreground(self, row: Any) -> Any:
        return fmt.STATUS_COLORS.get(row.status)

    def tooltip(self, row: Any, column: int) -> str | None:
        if row.error:
            return row.error
        if column == COLUMNS.index("Mode") and row.mode == "dry_run":
            return "A preview: nothing of this run was applied to the mirror."
        return None

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        return Qt.AlignmentFlag.AlignRight if column in NUMERIC else None
