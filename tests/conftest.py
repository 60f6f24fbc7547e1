"""Shared fixtures: a fresh mirror per test, a fixed clock, a session-only credential store."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from keyring.backends.fail import Keyring as NoKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from informz_console.domain.clock import FixedClock  # noqa: E402
from informz_console.store.engine import open_engine  # noqa: E402
from informz_console.sync.credentials import CredentialStore  # noqa: E402


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 11, 2, 14, 0, tzinfo=UTC))


@pytest.fixture
def mirror(tmp_path):
    engine = open_engine(tmp_path / "mirror.sqlite")
    yield engine
    engine.dispose()


@pytest.fixture
def credentials() -> CredentialStore:
    """No OS keyring in tests: secrets live in memory, as on a headless box."""
    return CredentialStore(NoKeyring())
