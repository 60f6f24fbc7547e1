"""iMIS sandbox fixtures. Import them explicitly into a test module:

    from imis_fixtures import imis, imis_shared, imis_template, make_connector  # noqa: F401

One sandbox database is generated per session (`imis_template`, 2,000 members); `imis_shared`
serves a copy for tests that only read; `imis` gives each test its own running copy to change.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from informz_console.connectors.imis import ImisConnector, ImisSettings
from informz_console.sandbox.imis import DB_NAME, ImisSandbox

MEMBERS = 2000
SEED = 7


def copy_sandbox(template: Path, directory: Path) -> ImisSandbox:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template / DB_NAME, directory / DB_NAME)
    return ImisSandbox.open(directory)


def make_connector(sandbox: ImisSandbox, password: str | None = None, **overrides) -> ImisConnector:
    settings = ImisSettings.from_mapping(sandbox.bridge_settings(**overrides))
    return ImisConnector(settings, sandbox.password if password is None else password)


@pytest.fixture(scope="session")
def imis_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("imis-template")
    ImisSandbox.create(directory, members=MEMBERS, seed=SEED)
    return directory


@pytest.fixture(scope="session")
def imis_shared(
    imis_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ImisSandbox]:
    """A running sandbox shared by the session: read it, never change it."""
    with copy_sandbox(imis_template, tmp_path_factory.mktemp("imis-shared")) as sandbox:
        yield sandbox


@pytest.fixture
def imis(imis_template: Path, tmp_path: Path) -> Iterator[ImisSandbox]:
    """A running sandbox of this test's own: change members, break the server, stop it."""
    with copy_sandbox(imis_template, tmp_path / "imis") as sandbox:
        yield sandbox
