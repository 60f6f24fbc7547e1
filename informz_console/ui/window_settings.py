"""Where the window remembers itself (geometry, last tab, recent mirrors): an INI file beside
the user settings, so INFORMZ_CONSOLE_CONFIG moves both (tests, portable installs)."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from informz_console.user_settings import settings_path


def window_settings() -> QSettings:
    path = settings_path().with_name("window.ini")
    return QSettings(str(path), QSettings.Format.IniFormat)
