"""Helpers of the fault, bad-input and secret tests (issue 6): a bridge on a running sandbox of
each AMS, and the check that an error is one clear sentence.

`AmsBridge` is a real bridge: saved with `save_bridge`, its secret in the credential store, run
through `SyncService` against the sandbox's server on 127.0.0.1, exactly as the console runs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from informz_console.domain.clock import Clock
from informz_console.sandbox.handle import SandboxHandle
from informz_console.sandbox.idss import IdssSandbox
from informz_console.sandbox.imis import ImisSandbox
from informz_console.sandbox.netforum import NetforumSandbox
from informz_console.sandbox.personify import PersonifySandbox
from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.cancel import Progress
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.requests import SyncKind, SyncRequest, SyncResult
from informz_console.sync.service import SyncService

KINDS = ("imis", "personify", "netforum", "idss")
MEMBERS = 600
PAGE = 50  # small pages: a group is a dozen requests, so a fault can land mid-run
PAGES = {"idss": 20}  # iDSS's group is smaller (each member costs a code write on a first sync)
LABELS = {"imis": "iMIS", "personify": "Personify", "netforum": "netFORUM", "idss": "iDSS"}
# What shows an error is not a sentence for a person: a traceback, a repr, an exception's name.
NOISE = re.compile(r"Traceback|File \"|object at 0x|\w+(Error|Exception)\(|<class ")
MEMBERS_LIST = 4  # iDSS "Annual Conference 2025" (12% of the contacts): a few pages


def assert_one_sentence(text: str | None, *names: str) -> None:
    """`text` is one line, one sentence ending in a full stop, without traceback or repr
    noise, and names each of `names` (the AMS, its site)."""
    assert text, "no error sentence"
    assert "\n" not in text and "\r" not in text, text
    assert text.endswith("."), text
    plain = text.replace("e.g. ", "e.g ").replace("i.e. ", "i.e ")  # abbreviations
    assert ". " not in plain.rstrip("."), f"more than one sentence: {text}"
    assert not NOISE.search(text), text
    for name in names:
        assert name in text, f"{name!r} not named in: {text}"


def _create(kind: str, directory: Path, members: int,
            secret: str | None) -> tuple[SandboxHandle, str]:
    """A fresh sandbox of `kind` (whose password or API key is `secret` when given) and the key
    of the group the tests resync."""
    handle: Any = {"imis": ImisSandbox, "personify": PersonifySandbox,
                   "netforum": NetforumSandbox, "idss": IdssSandbox}[kind]
    if secret is not None:
        handle = type(handle.__name__, (handle,), {"API_KEY" if kind == "idss" else "PASSWORD":
                                                   secret})
    if kind == "imis":
        return handle.create(directory, members=members, seed=5), "$/Informz/Everyone"
    if kind == "personify":
        when = datetime(2026, 10, 30, 9, 0, tzinfo=UTC)  # lists fresh at the tests' clock
        return handle.create(directory, members=members, seed=5, now=when), "ALLCUST"
    if kind == "netforum":
        sandbox = handle.create(directory, members=members, seed=5)
        return sandbox, sandbox.query_key("All Customers")
    return handle.create(directory, members=members, seed=5), str(MEMBERS_LIST)


def secret_of(sandbox: SandboxHandle) -> str:
    return sandbox.api_key if isinstance(sandbox, IdssSandbox) else sandbox.password  # type: ignore[attr-defined]


@dataclass
class AmsBridge:
    """One bridge named after its AMS (`name`), on a running sandbox."""

    kind: str
    engine: Engine
    credentials: CredentialStore
    clock: Clock
    sandbox: SandboxHandle
    group: str
    settings: dict[str, Any] = field(default_factory=dict)
    secret_name: str = ""
    overrides: dict[str, Any] = field(default_factory=dict)  # settings that differ from the
    # sandbox's own

    @classmethod
    def start(cls, kind: str, directory: Path, engine: Engine, credentials: CredentialStore,
              clock: Clock, members: int = MEMBERS, secret: str | None = None) -> AmsBridge:
        """A sandbox of `kind` started, its bridge saved, its secret (`secret`, when given,
        else the sandbox's own) in `credentials`."""
        sandbox, group = _create(kind, directory, members, secret)
        sandbox.start()
        if isinstance(sandbox, PersonifySandbox):
            sandbox.page_limit = PAGE  # server-driven paging, as a real PDS does
        bridge = cls(kind, engine, credentials, clock, sandbox, group)
        bridge.save(page_size=PAGES.get(kind, PAGE))
        credentials.set(bridge.secret_name, secret_of(sandbox))
        return bridge

    @property
    def name(self) -> str:
        return LABELS[self.kind]

    @property
    def site(self) -> str:
        return self.sandbox.site_url

    @property
    def port(self) -> int:
        return urlsplit(self.site).port or 0

    def save(self, **overrides: object) -> None:
        """Save the bridge with the sandbox's settings, the changes made so far and these."""
        self.overrides.update(overrides)
        self.settings = self.sandbox.bridge_settings(**self.overrides)  # type: ignore[attr-defined]
        spec = BridgeSpec(self.kind, self.name, self.settings)
        self.secret_name = save_bridge(self.engine, spec, self.clock)

    def service(self) -> SyncService:
        return SyncService(self.engine, self.credentials, self.clock)

    def refresh(self) -> SyncResult:
        return self.service().run(SyncRequest(self.name, SyncKind.REFRESH_LIST))

    def resync(self, progress: list[Progress] | None = None) -> SyncResult:
        seen = progress if progress is not None else []
        request = SyncRequest(self.name, SyncKind.RESYNC_GROUP, group=self.group)
        return self.service().run(request, progress=seen.append)

    def stop(self) -> None:
        self.sandbox.stop()
