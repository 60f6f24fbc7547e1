"""The built-in demo: sandbox AMS endpoints on loopback, bridges to them, every group synced.

Used by `informz-console demo` (which stops the sandbox afterwards, leaving a mirror that
explains itself offline) and by the console window's `--demo` (which keeps it running).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from informz_console.domain.clock import Clock
from informz_console.sandbox.idss import IdssSandbox
from informz_console.sandbox.imis import ImisSandbox
from informz_console.sandbox.netforum import NetforumSandbox
from informz_console.sandbox.personify import PersonifySandbox
from informz_console.store.queries.groups import groups_of_bridge
from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.cancel import CancelToken, ProgressCallback, no_progress
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.lookup import find_bridge
from informz_console.sync.requests import SyncKind, SyncRequest, SyncResult, Trigger
from informz_console.sync.service import SyncService


@dataclass(frozen=True)
class DemoAms:
    """One sandbox AMS of the demo and the bridge wired to it."""

    kind: str
    bridge: str
    sandbox: type
    secret_attribute: str = "password"
    accepted_statuses: str = "A"

    def spec(self, sandbox: object) -> BridgeSpec:
        settings = dict(sandbox.bridge_settings())  # type: ignore[attr-defined]
        settings.pop("accepted_statuses", None)  # bridge columns, not endpoint settings
        email_source = str(settings.pop("email_source", "name"))
        return BridgeSpec(self.kind, self.bridge, settings, self.accepted_statuses, email_source)


DEMO_AMS = (
    DemoAms("imis", "Demo iMIS", ImisSandbox, accepted_statuses="A,AF"),
    DemoAms("personify", "Demo Personify360", PersonifySandbox),
    DemoAms("netforum", "Demo netFORUM Pro", NetforumSandbox),
    DemoAms("idss", "Demo iDSS", IdssSandbox, secret_attribute="api_key"),
)


def demo_mirror_path() -> Path:
    return Path(user_data_dir("informz_console", appauthor=False)) / "demo-mirror.sqlite"


@dataclass
class DemoEndpoints:
    running: list[tuple[DemoAms, object]]  # each AMS with its started sandbox

    def bridges(self) -> list[tuple[BridgeSpec, str]]:
        """Each demo bridge with its password or API key."""
        return [(ams.spec(box), getattr(box, ams.secret_attribute)) for ams, box in self.running]


@contextmanager
def demo_endpoints(members: int = 5000, seed: int = 1) -> Iterator[DemoEndpoints]:
    """Every sandbox AMS, generated fresh in a temporary directory, served on free loopback
    ports until the block ends."""
    with tempfile.TemporaryDirectory(prefix="informz-demo-") as tmp:
        running: list[tuple[DemoAms, object]] = []
        try:
            for ams in DEMO_AMS:
                box = ams.sandbox.create(Path(tmp) / ams.kind, members=members, seed=seed)
                box.start()
                if isinstance(box, IdssSandbox):
                    refuse_some_informz_codes(box)
                running.append((ams, box))
            yield DemoEndpoints(running)
        finally:
            for _, box in running:
                box.stop()  # type: ignore[attr-defined]


# Seed 002: "When a contact is highlighted in red on a distribution list, it indicates that there
# was an error syncing the contact". The demo makes a few clean Newsletter contacts refuse their
# Informz code, so the iDSS tab has red contacts (call and system error) to show.
DEMO_REFUSED_CODES = (
    (409, "Contact is locked by another user (jsmith) in iDSS; save or close it and retry."),
    (500, "Object reference not set to an instance of an object (ContactSync.SaveCode)."),
    (500, "Timeout expired. The timeout period elapsed prior to completion of the operation "
          "or the server is not responding."),
)
_CLEAN_EMAIL = re.compile(r"^[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")


def refuse_some_informz_codes(box: IdssSandbox, list_id: int = 3) -> list[int]:
    """Make a few contacts of `list_id` with a clean email of their own (so the sync keeps them
    and writes their code) answer each Informz code PATCH with a system error."""
    rows = box.execute("SELECT c.id, c.email FROM contacts c JOIN list_contacts l "
                       "ON l.contact_id = c.id WHERE l.list_id = ? AND c.active = 1 "
                       "ORDER BY c.id", (list_id,))
    clean = [cid for cid, email in rows
             if email and _CLEAN_EMAIL.match(email) and f"{cid}@" in email]
    chosen = clean[7::41][:len(DEMO_REFUSED_CODES)]
    for contact_id, (status, error) in zip(chosen, DEMO_REFUSED_CODES, strict=False):
        box.fail_patch(contact_id, error, status)
    return chosen


def wire_bridges(engine: Engine, credentials: CredentialStore, clock: Clock,
                 endpoints: DemoEndpoints) -> list[str]:
    names = []
    for spec, password in endpoints.bridges():
        credentials.set(save_bridge(engine, spec, clock), password)
        names.append(spec.name)
    return names


@dataclass
class DemoOutcome:
    bridges: list[str]
    results: list[tuple[str, SyncResult]] = field(default_factory=list)  # (label, result)

    @property
    def ok(self) -> bool:
        return all(result.ok for _, result in self.results)


def sync_everything(service: SyncService, bridges: list[str],
                    progress: ProgressCallback = no_progress,
                    cancel: CancelToken | None = None) -> DemoOutcome:
    """Refresh each bridge's list, resync every group, then (iMIS) a partial sync."""
    outcome = DemoOutcome(bridges)
    for name in bridges:
        refresh = service.run(SyncRequest(name, SyncKind.REFRESH_LIST, trigger=Trigger.DEMO))
        outcome.results.append((f"{name}: refresh list", refresh))
        if not refresh.ok:
            continue
        with Session(service.engine) as session:
            bridge = find_bridge(session, name)
            groups = [(g.remote_key, g.name) for g in groups_of_bridge(session, bridge.id)]
            kind = bridge.kind
        for key, group_name in groups:
            result = service.run(SyncRequest(name, SyncKind.RESYNC_GROUP, key, Trigger.DEMO),
                                 progress, cancel)
            outcome.results.append((f"{name}: {group_name}", result))
        if kind == "imis":
            result = service.run(SyncRequest(name, SyncKind.PARTIAL, trigger=Trigger.DEMO),
                                 progress, cancel)
            outcome.results.append((f"{name}: partial sync", result))
    return outcome
