"""The mirror written down for next time (settings, recent mirrors) never carries a password."""

from __future__ import annotations

from informz_console.store.engine import remembered
from informz_console.user_settings import load_settings, remember_mirror


def test_a_url_is_remembered_without_its_password(tmp_path, monkeypatch):
    monkeypatch.setenv("INFORMZ_CONSOLE_CONFIG", str(tmp_path / "config"))
    url = "postgresql+psycopg://advisor:s3cret-Pw@db.example.org:5432/informz"
    written = remembered(url)
    assert written == "postgresql+psycopg://advisor@db.example.org:5432/informz"
    remember_mirror(load_settings(), written)
    assert load_settings().last_mirror == written
    assert "s3cret-Pw" not in (tmp_path / "config" / "settings.json").read_text()


def test_a_file_is_remembered_as_an_absolute_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert remembered("mirror.sqlite") == str(tmp_path / "mirror.sqlite")
