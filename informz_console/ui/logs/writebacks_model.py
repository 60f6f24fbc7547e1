"""The writeback outbox: a lazy table over writeback ids, newest first."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from PySide6.QtCore import Qt

from informz_console.store.queries.writebacks import WritebackRow, writebacks_by_id
from informz_console.ui.lazy_model import LazyTableModel
from informz_console.ui.logs import format as fmt
from informz_console.ui.services import Services

COLUMNS = ("#", "Bridge", "Subscriber email", "AMS id", "Type", "State", "Attempts",
           "Created (UTC)", "Next attempt / sent (UTC)", "Last error")
WIDTHS = (48, 150, 250, 80, 90, 80, 64, 140, 170)
NUMERIC = frozenset({0, 6})
TYPES = {"unsubscribe": "Unsubscribe", "resubscribe": "Resubscribe", "bad_email": "Bad email"}


def _next_or_sent(row: WritebackRow) -> str:
    if row.state == "sent":
        return fmt.when(row.sent_at)
    if row.state == "processing":
        return f"lease ends {fmt.when(row.next_attempt_at, seconds=False)}"
    return fmt.when(row.next_attempt_at)


def _cells(row: WritebackRow) -> tuple[Any, ...]:
    return (row.id, row.bridge, row.email, row.ams_id or "", TYPES.get(row.type, row.type),
            fmt.words(row.state), row.attempts, fmt.when(row.created_at), _next_or_sent(row),
            row.last_error or "")


class WritebacksModel(LazyTableModel):
    def __init__(self, services: Services, parent: Any = None) -> None:
        super().__init__(COLUMNS, self._fetch, parent)
        self.services = services

    def _fetch(self, keys: Sequence[Hashable]) -> dict[Hashable, Any]:
        with self.services.session() as session:
            return dict(writebacks_by_id(session, [int(k) for k in keys]))  # type: ignore[call-overload]

    def display(self, row: Any, column: int) -> Any:
        return _cells(row)[column]

    def foreground(self, row: Any) -> Any:
        return fmt.WRITEBACK_COLORS.get(row.state)

    def tooltip(self, row: Any, column: int) -> str | None:
        return row.last_error or None

    def alignment(self, column: int) -> Qt.AlignmentFlag | None:
        return Qt.AlignmentFlag.AlignRight if column in NUMERIC else None
