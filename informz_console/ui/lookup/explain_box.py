""""Why is it in / not in this target group?" — the CLI's `explain`, for a group chosen here.

The verdict is the same sentence `informz-console explain` prints, followed by the subscriber's
status and what each run did to it in that group.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from informz_console.store.queries.explain import Explanation
from informz_console.store.queries.subscriber import GroupRef
from informz_console.ui.lookup.page_data import explain_in
from informz_console.ui.services import Services

SHOWN_HISTORY = 8
STYLES = {
    True: "background:#e6f4ea; color:#14532d; border:1px solid #a8d5b5;",
    False: "background:#fff6dd; color:#6b4e00; border:1px solid #f0d98a;",
}


class ExplainBox(QGroupBox):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__("Why in / not in a target group?", parent)
        self.services = services
        self.email = ""
        self.explanation: Explanation | None = None
        self.group = QComboBox()
        self.group.setMinimumWidth(320)
        self.group.setToolTip("Choose a target group: the answer is the same as the CLI's "
                              "`explain`, read from the mirror alone")
        self.verdict = QLabel()
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel()
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._layout()
        self.group.currentIndexChanged.connect(self._explain)

    def _layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(QLabel("Target group"))
        row.addWidget(self.group, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.verdict)
        layout.addWidget(self.facts)
        layout.addStretch(1)

    def set_subject(self, email: str, choices: list[GroupRef], preferred: int | None) -> None:
        """Whom to explain, the groups to choose from, and the one to explain first."""
        self.email = email
        self.group.blockSignals(True)
        self.group.clear()
        for choice in choices:
            self.group.addItem(choice.label, choice.id)
        self.group.setCurrentIndex(max(self.group.findData(preferred), 0))
        self.group.blockSignals(False)
        self._explain()

    def choose_group(self, group_id: int) -> None:
        self.group.setCurrentIndex(self.group.findData(group_id))

    def _explain(self) -> None:
        group_id, email = self.group.currentData(), self.email
        if group_id is None or not email:
            self._show(None)
            return
        self.verdict.setText("Reading…")

        def work(_cancel, _progress) -> Explanation:  # type: ignore[no-untyped-def]
            with self.services.session() as session:
                return explain_in(session, email, group_id)

        self.services.jobs.submit("Explaining a subscriber", work, on_done=self._show,
                                  on_error=self._failed, key="lookup-explain")

    def _failed(self, sentence: str) -> None:
        self.explanation = None
        self.verdict.setText(sentence)
        self.facts.clear()

    def _show(self, answer: Explanation | None) -> None:
        self.explanation = answer
        if answer is None:
            self.verdict.setText("No target group to explain.")
            self.verdict.setStyleSheet("")
            self.facts.clear()
            return
        self.verdict.setText(answer.verdict)
        self.verdict.setStyleSheet(f"QLabel {{{STYLES[answer.is_member]} border-radius:4px;"
                                   " padding:6px;}")
        self.facts.setText("\n".join(self._fact_lines(answer)))

    @staticmethod
    def _fact_lines(answer: Explanation) -> list[str]:
        """As the CLI prints them under the verdict: status, then the group's history."""
        lines = []
        if answer.status:
            why = f" ({answer.status_reason})" if answer.status_reason else ""
            lines.append(f"Subscriber status: {answer.status}{why}")
        entries = answer.history[-SHOWN_HISTORY:]
        if len(answer.history) > SHOWN_HISTORY:
            lines.append(f"… {len(answer.history) - SHOWN_HISTORY} earlier runs not shown")
        lines += [f"• {entry.sentence()}" for entry in entries]
        return lines
