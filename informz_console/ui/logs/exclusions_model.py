"""The exclusion rows of one run (and one reason): a lazy table over exclusion ids."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from informz_console.store.queries.run_rows import exclusions_by_id
from informz_console.ui.lazy_model import LazyTableModel
from informz_console.ui.services import Services

COLUMNS = ("AMS id", "Email (as the AMS holds it)", "Reason", "Detail")
WIDTHS = (70, 220, 200)


class ExclusionsModel(LazyTableModel):
    def __init__(self, services: Services, parent: Any = None) -> None:
        super().__init__(COLUMNS, self._fetch, parent)
        self.services = services

    def _fetch(self, keys: Sequence[Hashable]) -> dict[Hashable, Any]:
        with self.services.session() as session:
            return dict(exclusions_by_id(session, [int(k) for k in keys]))  # type: ignore[call-overload]

    def display(self, row: Any, column: int) -> Any:
        return (row.ams_id or "", row.email or "", row.reason_label, row.detail or "")[column]

    def tooltip(self, row: Any, column: int) -> str | None:
        return row.detail or None
