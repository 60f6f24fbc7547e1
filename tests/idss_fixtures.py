"""iDSS sandbox fixtures. Import them explicitly into a test module:

    from idss_fixtures import idss, idss_shared, idss_template, make_connector  # noqa: F401

One sandbox database is generated per session (`idss_template`, 2,000 contacts); `idss_shared`
serves a copy for tests that only read; `idss` gives each test its own running copy to change.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from informz_console.connectors.idss import IdssConnector, IdssSettings
from informz_console.sandbox.idss import DB_NAME, IdssSandbox

MEMBERS = 2000
SEED = 7


def copy_sandbox(template: Path, directory: Path) -> IdssSandbox:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template / DB_NAME, directory / DB_NAME)
    return IdssSandbox.open(directory)


def make_connector(sandbox: IdssSandbox, api_key: str | None = None, **overrides) -> IdssConnector:
    settings = IdssSettings.from_mapping(sandbox.bridge_settings(**overrides))
    return IdssConnector(settings, sandbox.api_key if api_key is None else api_key)


@pytest.fixture(scope="session")
def idss_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("idss-template")
    IdssSandbox.create(directory, members=MEMBERS, seed=SEED)
    return directory


@pytest.fixture(scope="session")
def idss_shared(
    idss_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[IdssSandbox]:
    """A running sandbox shared by the session: read it, never change it."""
    with copy_sandbox(idss_template, tmp_path_factory.mktemp("idss-shared")) as sandbox:
        yield sandbox


@pytest.fixture
def idss(idss_template: Path, tmp_path: Path) -> Iterator[IdssSandbox]:
    """A running sandbox of this test's own: change contacts, break the server, stop it."""
    with copy_sandbox(idss_template, tmp_path / "idss") as sandbox:
        yield sandbox
