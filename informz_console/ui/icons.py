"""Icons from resources/ (the application icon), with Qt's standard icons as the fallback."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QStyle

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def resource(name: str) -> Path:
    return RESOURCES / "icons" / name


def icon(name: str, fallback: QStyle.StandardPixmap | None = None) -> QIcon:
    path = resource(name)
    if path.exists():
        return QIcon(str(path))
    if fallback is not None and QApplication.instance() is not None:
        return QApplication.style().standardIcon(fallback)
    return QIcon()


def app_icon() -> QIcon:
    return icon("app.svg", QStyle.StandardPixmap.SP_ComputerIcon)
