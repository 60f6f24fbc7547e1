"""What every command gets: the mirror, the credential store, the clock, the user settings."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine

from informz_console.domain.clock import Clock, SystemClock
from informz_console.store.engine import (
    MirrorError,
    default_mirror_path,
    mirror_file,
    open_engine,
    remembered,
    shown,
)
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.service import SyncService
from informz_console.user_settings import (
    UserSettings,
    load_settings,
    remember_mirror,
)


@dataclass
class CliContext:
    mirror_arg: str | None
    json: bool
    clock: Clock = field(default_factory=SystemClock)
    credentials: CredentialStore = field(default_factory=CredentialStore)
    settings: UserSettings = field(default_factory=load_settings)
    # Only the commands that fill a new mirror (demo, bridge add, upload, settings) may make it:
    # elsewhere a mistyped path would answer from an empty mirror ("The sync log is empty.")
    # and be remembered as the mirror of every later command.
    may_create: bool = True

    @cached_property
    def mirror(self) -> str:
        """--mirror, else $INFORMZ_MIRROR, else the last mirror used, else the default file."""
        chosen = (self.mirror_arg or os.environ.get("INFORMZ_MIRROR")
                  or self.settings.last_mirror or str(default_mirror_path()))
        return chosen

    @cached_property
    def engine(self) -> Engine:
        file = mirror_file(self.mirror)
        if not self.may_create and file is not None and not file.exists():
            raise MirrorError(
                f"There is no mirror at {file}; check the path (--mirror, $INFORMZ_MIRROR), or "
                f"make one with `informz-console demo` or `informz-console bridge add`.")
        engine = open_engine(self.mirror, progress=self._upgrading)
        self.remember_mirror()
        return engine

    def _upgrading(self, done: int, total: int) -> bool:
        """A scheduled run's log says why the command waits on an older mirror's upgrade."""
        if done == 0 and total > 0:
            steps = "1 step" if total == 1 else f"{total} steps"
            print(f"Upgrading the mirror {shown(self.mirror)} for this version of the console "
                  f"({steps}); a large mirror takes a minute.", file=sys.stderr)
        return True

    def remember_mirror(self) -> None:
        remember_mirror(self.settings, remembered(self.mirror))

    def sync_service(self) -> SyncService:
        return SyncService(self.engine, self.credentials, self.clock,
                           is_staff=self.settings.is_staff)

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()
