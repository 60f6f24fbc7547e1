"""Personify sandbox fixtures. Import them explicitly into a test module:

    from personify_fixtures import (  # noqa: F401
        make_connector, personify, personify_shared, personify_template,
    )

One sandbox database is generated per session (`personify_template`, 2,000 customers, list dates
relative to GENERATED_AT); `personify_shared` serves a copy for tests that only read;
`personify` gives each test its own running copy to change, break or stop.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from informz_console.connectors.personify import PersonifyConnector, PersonifySettings
from informz_console.domain.clock import FixedClock
from informz_console.sandbox.personify import DB_NAME, PersonifySandbox

MEMBERS = 2000
SEED = 11
GENERATED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def copy_sandbox(template: Path, directory: Path) -> PersonifySandbox:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template / DB_NAME, directory / DB_NAME)
    return PersonifySandbox.open(directory)


def make_connector(
    sandbox: PersonifySandbox,
    password: str | None = None,
    *,
    clock: FixedClock | None = None,
    http_client_factory=None,
    **overrides,
) -> PersonifyConnector:
    settings = PersonifySettings.from_mapping(sandbox.bridge_settings(**overrides))
    return PersonifyConnector(
        settings,
        sandbox.password if password is None else password,
        http_client_factory=http_client_factory,
        clock=clock or FixedClock(GENERATED_AT),
    )


@pytest.fixture(scope="session")
def personify_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("personify-template")
    PersonifySandbox.create(directory, members=MEMBERS, seed=SEED, now=GENERATED_AT)
    return directory


@pytest.fixture(scope="session")
def personify_shared(
    personify_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PersonifySandbox]:
    """A running sandbox shared by the session: read it, never change it."""
    with copy_sandbox(personify_template, tmp_path_factory.mktemp("personify-shared")) as sb:
        yield sb


@pytest.fixture
def personify(personify_template: Path, tmp_path: Path) -> Iterator[PersonifySandbox]:
    """A running sandbox of this test's own: change customers, break the server, stop it."""
    with copy_sandbox(personify_template, tmp_path / "personify") as sandbox:
        yield sandbox
