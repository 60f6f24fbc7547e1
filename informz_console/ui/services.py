"""The one context every window, tab and dialog is given (no global app object).

It holds what the CLI's context holds (mirror, credential store, clock, user settings) plus
the job runner, so a widget asks `services` for a session, the sync service or a background job
and never reaches for a module-level singleton. Tests build one over a temporary mirror.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from informz_console.domain.clock import Clock, SystemClock
from informz_console.store.engine import open_engine, remembered
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.service import SyncService
from informz_console.ui.jobs import JobRunner
from informz_console.user_settings import (
    UserSettings,
    load_settings,
    remember_mirror,
    save_settings,
)


class MirrorEvents(QObject):
    """Tells every tab that the mirror changed (so each re-reads it), and carries the one
    sentence a tab wants the user to read to the window's message bar."""

    changed = Signal()  # a run finished, a bridge was saved, a mirror was opened
    message = Signal(str, str)  # level (info | warning | error), one sentence


@dataclass(eq=False)
class Services:
    mirror: str  # a file path or a SQLAlchemy URL, as the user gave it
    engine: Engine
    credentials: CredentialStore = field(default_factory=CredentialStore)
    clock: Clock = field(default_factory=SystemClock)
    settings: UserSettings = field(default_factory=load_settings)
    jobs: JobRunner = field(default_factory=JobRunner)
    events: MirrorEvents = field(default_factory=MirrorEvents)

    @classmethod
    def open(cls, mirror: str | Path, **kwargs) -> Services:  # type: ignore[no-untyped-def]
        """Open (and migrate) a mirror; MirrorError says what to fix when it cannot."""
        target = str(mirror)
        return cls(target, open_engine(target), **kwargs)

    @property
    def mirror_label(self) -> str:
        """The mirror for the status bar: a path, or a URL without its password."""
        return self.engine.url.render_as_string(hide_password=True) \
            if "://" in self.mirror else self.mirror

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reading the mirror; it never waits for a running sync.

        The engine begins SQLite transactions IMMEDIATE (the write lock, for the sync's sake);
        a table reading rows on the GUI thread must not queue behind a sync's merge, so these
        reads begin DEFERRED: in WAL mode a reader sees the last committed state and never
        blocks. Widgets never write (they call sync/), so nothing here needs the lock.
        """
        with self.engine.connect() as conn:
            conn.execution_options(sqlite_begin="DEFERRED")  # ignored by a server mirror
            with Session(bind=conn) as session:
                yield session

    @cached_property
    def sync(self) -> SyncService:
        """One sync service per window: it marks runs a killed console left `running`."""
        return SyncService(self.engine, self.credentials, self.clock,
                           is_staff=self.settings.is_staff)

    def set_role(self, role: str) -> None:
        self.settings.role = role
        save_settings(self.settings)
        self.sync.is_staff = self.settings.is_staff

    def remember_mirror(self) -> None:
        remember_mirror(self.settings, remembered(self.mirror))

    def close(self) -> None:
        self.jobs.shutdown()
        self.engine.dispose()
