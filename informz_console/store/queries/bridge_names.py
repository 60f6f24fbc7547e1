"""The bridges by name with the AMS each talks to: for trees and pickers (no secrets read)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from informz_console.store.models import Bridge


def bridge_kinds(session: Session) -> list[tuple[str, str]]:
    """(name, kind) of every bridge, by name."""
    return [(name, kind) for name, kind in session.execute(
        select(Bridge.name, Bridge.kind).order_by(Bridge.name))]
