"""Per-user settings (role, last mirror, drift warning): declared once, typed, written
atomically.

They live in the user config dir as JSON; secrets never do (they are in the keyring).
`INFORMZ_CONSOLE_CONFIG` points elsewhere (tests, portable installs).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from platformdirs import user_config_dir

VERSION = 1
ROLES = ("client", "staff")


@dataclass
class UserSettings:
    role: str = "client"  # staff may run a full refresh (seed 000)
    last_mirror: str | None = None
    # Sync health warns when a group's synced count moves more than this against the mean of
    # its last five runs (issue 4).
    drift_warning_percent: int = 20
    version: int = VERSION

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"


def settings_path() -> Path:
    override = os.environ.get("INFORMZ_CONSOLE_CONFIG")
    base = Path(override) if override else Path(user_config_dir("informz_console", False))
    return base / "settings.json"


def load_settings() -> UserSettings:
    path = settings_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return UserSettings()
    known = {f.name for f in fields(UserSettings)}
    settings = UserSettings(**{k: v for k, v in data.items() if k in known})
    if settings.role not in ROLES:
        settings.role = "client"
    drift = settings.drift_warning_percent
    if isinstance(drift, bool) or not isinstance(drift, int) or drift <= 0:
        settings.drift_warning_percent = UserSettings.drift_warning_percent
    return settings


def save_settings(settings: UserSettings) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    tmp.replace(path)  # atomic: a crash never leaves half a settings file


def remember_mirror(settings: UserSettings, written: str) -> None:
    """Make `written` (a path or a URL without password) the mirror opened next time."""
    if settings.last_mirror != written:
        settings.last_mirror = written
        save_settings(settings)
