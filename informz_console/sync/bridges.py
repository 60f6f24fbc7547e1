"""Bridges: add, list, test, and their password (kept in the keyring, named in the mirror)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from informz_console.connectors.errors import ConfigError, ConnectorError
from informz_console.domain.clock import Clock
from informz_console.domain.email_source import EmailSource
from informz_console.domain.statuses import AcceptedStatuses
from informz_console.store.models import Bridge, TargetGroup
from informz_console.sync.connector_factory import (
    KINDS,
    build_connector,
    check_settings,
    secret_name,
)
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.lookup import find_bridge


@dataclass(frozen=True)
class BridgeSpec:
    kind: str
    name: str
    settings: dict[str, Any] = field(default_factory=dict)  # endpoint settings, no secret
    accepted_statuses: str = "A"
    email_source: str = "name"
    active: bool = True

    def validate(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(f"Bridge kind {self.kind!r} is unknown; use one of "
                              f"{', '.join(KINDS)}.")
        if not self.name.strip():
            raise ConfigError("A bridge needs a name.")
        try:
            AcceptedStatuses.parse(self.accepted_statuses.split(","))
            EmailSource.parse(self.email_source)
        except ValueError as err:
            raise ConfigError(str(err)) from err
        check_settings(self.kind, self.settings, self.accepted_statuses, self.email_source)


@dataclass(frozen=True)
class BridgeInfo:
    name: str
    kind: str
    active: bool
    settings: dict[str, Any]
    accepted_statuses: str
    email_source: str
    groups: int
    last_list_refresh_at: datetime | None
    has_secret: bool


def save_bridge(engine: Engine, spec: BridgeSpec, clock: Clock) -> str:
    """Add a bridge, or update the one with this name. Returns its keyring entry name."""
    spec.validate()
    with Session(engine) as session:
        bridge = session.scalar(select(Bridge).where(func.lower(Bridge.name) == spec.name.lower()))
        if bridge is None:
            bridge = Bridge(name=spec.name, created_at=clock.now())
            session.add(bridge)
        bridge.kind, bridge.settings = spec.kind, dict(spec.settings)
        bridge.accepted_statuses = ",".join(AcceptedStatuses.parse(
            spec.accepted_statuses.split(",")).codes())
        bridge.email_source = str(EmailSource.parse(spec.email_source))
        bridge.active = spec.active
        bridge.secret_name = secret_name(spec.kind, spec.name)
        session.commit()
        return bridge.secret_name


def list_bridges(engine: Engine, credentials: CredentialStore) -> list[BridgeInfo]:
    with Session(engine) as session:
        counts = dict(session.execute(select(TargetGroup.bridge_id, func.count())
                                      .group_by(TargetGroup.bridge_id)).all())
        return [
            BridgeInfo(b.name, b.kind, b.active, dict(b.settings), b.accepted_statuses,
                       b.email_source, counts.get(b.id, 0), b.last_list_refresh_at,
                       bool(b.secret_name and credentials.get(b.secret_name) is not None))
            for b in session.scalars(select(Bridge).order_by(Bridge.name))
        ]


def bridge_secret_name(engine: Engine, name: str) -> str:
    with Session(engine) as session:
        bridge = find_bridge(session, name)
        return bridge.secret_name or secret_name(bridge.kind, bridge.name)


def test_bridge(engine: Engine, name: str, credentials: CredentialStore) -> str:
    """One sentence: what answered, or what to fix. Raises ConnectorError/SyncError."""
    with Session(engine) as session:
        bridge = find_bridge(session, name)
        connector = build_connector(bridge, credentials)
    try:
        return connector.test()
    finally:
        connector.close()


def discover_interests(engine: Engine, name: str, credentials: CredentialStore) -> list[str]:
    """IPM (seed 004): the UD checkbox fields the admin may choose as remote interests."""
    with Session(engine) as session:
        bridge = find_bridge(session, name)
        connector = build_connector(bridge, credentials)
    try:
        if not hasattr(connector, "ud_checkbox_fields"):
            raise ConfigError(f"Bridge {name!r} ({bridge.kind}) has no remote interests; "
                              "they are an iMIS feature.")
        return [f"{table}.{field}" for table, field in connector.ud_checkbox_fields()]
    finally:
        connector.close()


__all__ = ["BridgeInfo", "BridgeSpec", "ConnectorError", "bridge_secret_name",
           "discover_interests", "list_bridges",
           "save_bridge", "test_bridge"]
