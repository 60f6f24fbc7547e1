"""The contacts of one iDSS distribution list as a lazy table (seed 002): a contact whose sync
failed is red, with the call and the system error in its tooltip; "Duplicate" follows the status
of a contact whose email another contact also has."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from informz_console.store.queries.idss_contacts import ContactRow
from informz_console.store.queries.labels import reason_label
from informz_console.ui.lazy_model import LazyTableModel

COLUMNS = ("Contact id", "Name", "Email", "Status", "Informz code", "Sync error")
STATUS_COLUMN, ERROR_COLUMN = 3, 5
FAILED_TEXT, FAILED_BACK = QColor("#b3261e"), QColor("#fdecea")
EXCLUDED_TEXT, DUPLICATE_TEXT = QColor("#6b6b6b"), QColor("#8a5a00")
DUPLICATE = "Duplicate"

ReadRows = Callable[[int, Sequence[str]], dict[str, ContactRow]]


def status_text(row: ContactRow) -> str:
    """'Member', 'Excluded: <reason>', with ' · Duplicate' after it when the email is shared."""
    if row.member:
        base = "Member"
    elif row.reason == "duplicate_email":
        base = "Excluded"  # the reason is the Duplicate that follows
    else:
        base = f"Excluded: {reason_label(row.reason)}"
    return f"{base} · {DUPLICATE}" if row.duplicate else base


def code_text(row: ContactRow) -> str:
    if row.informz_code is None:
        return ""
    return f"{row.informz_code} (not written)" if row.failed else row.informz_code


def failure_text(row: ContactRow) -> str:
    """The call sent and the system error received (seed 002: what SoftOps checks)."""
    when = f" {row.failed_at.astimezone():%Y-%m-%d %H:%M}" if row.failed_at else ""
    return (f"Sync failed{when}.\nCall: {row.request or '(not sent: iDSS did not answer)'}\n"
            f"System error: {row.system_error}")


def duplicate_text(row: ContactRow) -> str:
    return ("Duplicate: another iDSS contact has this email, and Informz keeps one subscriber "
            "per email. Correct the email in one of the records"
            + (f" ({row.detail})." if row.detail else "."))


def detail_text(row: ContactRow) -> str:
    """Everything about one contact, for the box below the table."""
    lines = [f"Contact {row.contact_id}" + (f" — {row.name}" if row.name else ""),
             f"Email: {row.email or '(none)'}", f"Status: {status_text(row)}"]
    if row.informz_code:
        lines.append(f"Informz code: {code_text(row)}")
    if not row.member and row.detail and row.reason != "duplicate_email":
        lines.append(f"Why: {row.detail}")
    if row.duplicate:
        lines.append(duplicate_text(row))
    if row.failed:
        lines += ["", failure_text(row), "",
                  "Resync contact sends it again (the uncheck/recheck of the list in iDSS)."]
    return "\n".join(lines)


class ContactsModel(LazyTableModel):
    def __init__(self, read_rows: ReadRows, parent: Any = None) -> None:
        self.group_id: int | None = None
        self._read_rows = read_rows
        super().__init__(COLUMNS, self._fetch, parent)

    def show_list(self, group_id: int | None, ids: Sequence[Hashable]) -> None:
        self.group_id = group_id
        self.set_keys(ids)

    def _fetch(self, ids: Sequence[Hashable]) -> dict[Hashable, Any]:
        if self.group_id is None:
            return {}
        try:
            return dict(self._read_rows(self.group_id, [str(i) for i in ids]))
        except LookupError:  # the list left the mirror meanwhile: the rows show as unreadable
            return {}

    def display(self, row: ContactRow, column: int) -> Any:  # type: ignore[override]
        if column == STATUS_COLUMN:
            return status_text(row)
        if column == 4:
            return code_text(row)
        if column == ERROR_COLUMN:
            return (row.system_error or "").splitlines()[0] if row.system_error else ""
        return (row.contact_id, row.name, row.email or "")[column]

    def foreground(self, row: ContactRow) -> Any:  # type: ignore[override]
        if row.failed:
            return FAILED_TEXT
        return None if row.member else EXCLUDED_TEXT

    def tooltip(self, row: ContactRow, column: int) -> str | None:  # type: ignore[override]
        parts = [failure_text(row)] if row.failed else []
        if row.duplicate:
            parts.append(duplicate_text(row))
        if not row.member and row.reason != "duplicate_email":
            parts.append(f"Excluded: {reason_label(row.reason)}"
                         + (f" ({row.detail})" if row.detail else ""))
        return "\n\n".join(parts) or None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole:
            row = self.row_at(index.row()) if index.isValid() else None
            return FAILED_BACK if row is not None and row.failed else None
        if (role == Qt.ItemDataRole.ForegroundRole and index.isValid()
                and index.column() == STATUS_COLUMN):
            row = self.row_at(index.row())
            if row is not None and row.duplicate and not row.failed:
                return DUPLICATE_TEXT
        return super().data(index, role)
