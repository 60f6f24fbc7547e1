"""The form of one bridge: name, kind, active, the kind's endpoint fields (from its settings
dataclass), the iMIS member rules (accepted statuses, email source, remote interests) and the
password or API key, which only ever goes to the keyring and is never shown back."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from informz_console.connectors.errors import ConfigError
from informz_console.sync.bridges import BridgeInfo, BridgeSpec
from informz_console.sync.connector_factory import KINDS, STATUS_KINDS
from informz_console.ui.bridges.bridge_list_model import secret_state_text
from informz_console.ui.bridges.kind_fields import (
    KIND_LABELS,
    TIPS,
    FieldSpec,
    fields_of,
    format_value,
    secret_label,
    secret_noun,
)

NAME_SOURCE, ADDRESS_SOURCE = "name", "address"


class BridgeForm(QWidget):
    edited = Signal()  # the user changed something since the bridge was loaded or saved

    def __init__(self, secure: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.secure = secure
        self.existing: str | None = None  # the saved bridge's name; None for a new one
        self.dirty = False
        self.remote_interests: list[str] = []
        self._loaded: dict[str, Any] = {}
        self._accepted_loaded = "A"
        self.endpoint_edits: dict[str, QLineEdit] = {}
        self._endpoint_specs: list[FieldSpec] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._bridge_box())
        layout.addWidget(self._endpoint_box())
        layout.addWidget(self._members_box())
        layout.addStretch(1)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.new()

    # -- building ------------------------------------------------------------------------

    def _bridge_box(self) -> QGroupBox:
        box = QGroupBox("Bridge")
        form = QFormLayout(box)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. iMIS production")
        self.kind = QComboBox()
        for kind in KINDS:
            self.kind.addItem(KIND_LABELS[kind], kind)
        self.active = QCheckBox("Active: syncs run and writebacks are sent")
        form.addRow("Name", self.name)
        form.addRow("Kind", self.kind)
        form.addRow("", self.active)
        self.name.textEdited.connect(self._edited)
        self.active.toggled.connect(self._edited)
        return box

    def _endpoint_box(self) -> QGroupBox:
        self.endpoint_box = QGroupBox("Connection")
        self.endpoint_form = QFormLayout(self.endpoint_box)
        self.secret = QLineEdit()
        self.secret.setObjectName("bridgeSecret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.textEdited.connect(self._edited)
        self.secret_name_label = QLabel("Password")
        self.secret_state = QLabel()
        self.secret_state.setObjectName("secretState")
        self.endpoint_form.addRow(self.secret_name_label, self.secret)
        self.endpoint_form.addRow("", self.secret_state)
        return self.endpoint_box

    def _members_box(self) -> QGroupBox:
        self.members_box = QGroupBox("Members (iMIS)")
        form = QFormLayout(self.members_box)
        self.accepted = QLineEdit()
        self.accepted.setPlaceholderText("A,AF  (or A* for every code starting with A)")
        self.accepted.setToolTip("Status codes whose records are synced, comma separated.")
        self.email_source = QComboBox()
        self.email_source.addItem("Name.EMAIL", NAME_SOURCE)
        self.email_source.addItem("Name_Address: preferred email of a purpose", ADDRESS_SOURCE)
        self.purpose = QLineEdit()
        self.purpose.setPlaceholderText("PURPOSE, e.g. Work")
        source = QHBoxLayout()
        source.addWidget(self.email_source, 2)
        source.addWidget(self.purpose, 1)
        self.interests = QLabel()
        self.interests.setWordWrap(True)
        form.addRow("Accepted statuses", self.accepted)
        form.addRow("Email source", source)
        form.addRow("Remote interests", self.interests)
        self.accepted.textEdited.connect(self._edited)
        self.purpose.textEdited.connect(self._edited)
        self.email_source.currentIndexChanged.connect(self._source_changed)
        return self.members_box

    def _rebuild_endpoint(self, kind: str, values: dict[str, Any]) -> None:
        """The kind's endpoint rows above the two secret rows, which stay."""
        for _ in self.endpoint_edits:
            self.endpoint_form.removeRow(0)  # deletes the row's label and edit
        self.endpoint_edits, self._endpoint_specs = {}, fields_of(kind)
        for number, spec in enumerate(self._endpoint_specs):
            edit = QLineEdit(format_value(values.get(spec.key)))
            edit.setObjectName(f"setting_{spec.key}")
            edit.setPlaceholderText(spec.hint)
            edit.setToolTip(TIPS.get(spec.key, ""))
            edit.textEdited.connect(self._edited)
            self.endpoint_edits[spec.key] = edit
            self.endpoint_form.insertRow(number, spec.label + (" *" if spec.required else ""),
                                         edit)
        self.secret_name_label.setText(secret_label(kind))
        self.endpoint_box.setTitle(f"{KIND_LABELS[kind]} connection")
        self.members_box.setVisible(kind in STATUS_KINDS)

    # -- loading -------------------------------------------------------------------------

    def new(self, kind: str = "imis") -> None:
        self.existing, self._loaded, self._accepted_loaded = None, {}, "A"
        self.name.setText("")
        self.name.setReadOnly(False)
        self.kind.setEnabled(True)
        self._set_kind(kind)
        self.active.setChecked(True)
        self._set_members("A", "name", [])
        self._set_secret(False, kind)
        self.dirty = False

    def load(self, info: BridgeInfo) -> None:
        self.existing, self._loaded = info.name, dict(info.settings)
        self._accepted_loaded = info.accepted_statuses
        self.name.setText(info.name)
        self.name.setReadOnly(True)  # a bridge keeps its name: runs and groups hang off it
        self.name.setToolTip("A bridge keeps its name; add a new bridge for another one.")
        self._set_kind(info.kind, info.settings)
        self.kind.setEnabled(False)
        self.active.setChecked(info.active)
        self._set_members(info.accepted_statuses, info.email_source,
                          list(info.settings.get("remote_interests") or []))
        self._set_secret(info.has_secret, info.kind)
        self.dirty = False

    def _set_kind(self, kind: str, values: dict[str, Any] | None = None) -> None:
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(KINDS.index(kind))
        self.kind.blockSignals(False)
        self._rebuild_endpoint(kind, values or {})

    def _set_members(self, accepted: str, email_source: str, interests: list[str]) -> None:
        self.accepted.setText(accepted)
        is_address = email_source.startswith(ADDRESS_SOURCE)
        self.email_source.blockSignals(True)
        self.email_source.setCurrentIndex(1 if is_address else 0)
        self.email_source.blockSignals(False)
        self.purpose.setText(email_source.partition(":")[2] if is_address else "")
        self.purpose.setEnabled(is_address)
        self.set_remote_interests(interests, edited=False)

    def _set_secret(self, has_secret: bool, kind: str) -> None:
        what = secret_noun(kind)
        self.secret.clear()
        self.secret.setPlaceholderText(f"Type to replace the stored {what}" if has_secret
                                       else f"Enter the {what}")
        self.secret_state.setText(secret_state_text(has_secret, self.secure))
        self.secret_state.setStyleSheet("" if has_secret else "color:#a61b1b;")

    def set_remote_interests(self, interests: list[str], edited: bool = True) -> None:
        self.remote_interests = list(interests)
        self.interests.setText(", ".join(interests) if interests else
                               "None chosen (Remote interests… lists the UD checkbox fields)")
        if edited:
            self._edited()

    # -- reading -------------------------------------------------------------------------

    @property
    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def spec(self) -> BridgeSpec:
        """The bridge as the form shows it; ConfigError for what the form itself can tell."""
        kind = self.current_kind
        settings = {k: v for k, v in self._loaded.items() if k not in self.endpoint_edits}
        for spec in self._endpoint_specs:
            value = spec.parse(self.endpoint_edits[spec.key].text())
            if value is not None:
                settings[spec.key] = value
        if kind in STATUS_KINDS:
            settings["remote_interests"] = list(self.remote_interests)
            return BridgeSpec(kind, self.name.text().strip(), settings,
                              self.accepted.text().strip(), self._email_source(),
                              self.active.isChecked())
        return BridgeSpec(kind, self.name.text().strip(), settings, self._accepted_loaded,
                          "name", self.active.isChecked())

    def _email_source(self) -> str:
        if self.email_source.currentData() == NAME_SOURCE:
            return "name"
        purpose = self.purpose.text().strip()
        if not purpose:
            raise ConfigError("Enter the Name_Address PURPOSE whose preferred email the bridge "
                              "uses, e.g. Work, or choose Name.EMAIL.")
        return f"address:{purpose}"

    def secret_text(self) -> str:
        return self.secret.text()

    # -- reacting ------------------------------------------------------------------------

    def _kind_changed(self) -> None:
        self._rebuild_endpoint(self.current_kind, {})
        self._set_secret(False, self.current_kind)
        self._edited()

    def _source_changed(self) -> None:
        self.purpose.setEnabled(self.email_source.currentData() == ADDRESS_SOURCE)
        self._edited()

    def _edited(self, *_: object) -> None:
        self.dirty = True
        self.edited.emit()
