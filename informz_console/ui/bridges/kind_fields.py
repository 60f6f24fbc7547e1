"""The endpoint fields of each bridge kind, read off its connector's settings dataclass, so the
form follows the connectors (a new setting shows up without a new form)."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any

from informz_console.connectors.idss_settings import IdssSettings
from informz_console.connectors.imis_settings import ImisSettings
from informz_console.connectors.netforum_settings import NetforumSettings
from informz_console.connectors.personify_settings import PersonifySettings

SETTINGS: dict[str, type] = {
    "imis": ImisSettings, "personify": PersonifySettings,
    "netforum": NetforumSettings, "idss": IdssSettings,
}
KIND_LABELS = {"imis": "iMIS", "personify": "Personify360", "netforum": "netFORUM Pro",
               "idss": "iDSS"}
# Bridge columns and choices the form shows in their own widgets, not as endpoint fields.
SEPARATE = {"accepted_statuses", "email_source", "remote_interests"}
LABELS = {
    "site_url": "Site URL", "connection_string": "ODBC connection", "username": "User name",
    "page_size": "Page size", "timeout_s": "Timeout (s)", "ud_table": "UD table (IPM)",
    "ud_table_prefix": "UD table prefix", "member_join": "Member join",
}
HINTS = {
    "site_url": "https://…",
    "connection_string": "Driver={ODBC Driver 18 for SQL Server};Server=…;Database=…;UID=…",
    "ud_table": "e.g. Informz_Preferences",
    "ud_table_prefix": "e.g. Informz_",
}
TIPS = {
    "connection_string": "Without the password: the bridge keeps it in the keyring.",
    "member_join": "'expand' (default), or 'filter' for a PDS that refuses $expand.",
    "ud_table": "The UD table holding the IPM opt-out and interest checkboxes.",
    "ud_table_prefix": "Remote interests are looked for in UD tables whose name starts so.",
}


def secret_label(kind: str) -> str:
    return "API key" if kind == "idss" else "Password"


def secret_noun(kind: str) -> str:
    """The secret as a sentence names it: 'API key', 'password'."""
    return "API key" if kind == "idss" else "password"


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: type  # str | int | float
    required: bool
    default: Any  # None when there is none

    @property
    def hint(self) -> str:
        if self.key in HINTS:
            return HINTS[self.key]
        return "" if self.default is None else f"default {format_value(self.default)}"

    def parse(self, text: str) -> Any:
        """The typed value of `text`; None when empty (the setting is left out); text that is
        not a number is passed on as is, for the settings check to name."""
        text = text.strip()
        if not text:
            return None
        if self.type in (int, float):
            try:
                return self.type(text)
            except ValueError:
                return text
        return text


def fields_of(kind: str) -> list[FieldSpec]:
    """The endpoint settings of `kind`, in the dataclass's order."""
    settings = SETTINGS[kind]
    hints = typing.get_type_hints(settings)
    found = []
    for field in dataclasses.fields(settings):
        if field.name in SEPARATE:
            continue
        value_type = _plain_type(hints[field.name])
        required = (field.default is dataclasses.MISSING
                    and field.default_factory is dataclasses.MISSING)
        default = None if field.default is dataclasses.MISSING else field.default
        label = LABELS.get(field.name, field.name.replace("_", " ").capitalize())
        found.append(FieldSpec(field.name, label, value_type, required, default))
    return found


def _plain_type(hint: Any) -> type:
    """str for `str | None`, int for `int`, ..."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    return hint if hint in (str, int, float) else str


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
