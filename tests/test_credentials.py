"""Secrets only in a secure keyring; otherwise in memory for the session, and said so."""

from __future__ import annotations

import keyring.backend
from keyring.backends.fail import Keyring as NoKeyring
from keyrings.alt.file import PlaintextKeyring

from informz_console.sync.credentials import CredentialStore, Secret


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A secure-looking backend that keeps entries in a dict (stands in for the OS keyring,
    which a headless test machine does not have)."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def test_a_secure_keyring_holds_the_secret():
    backend = MemoryKeyring()
    store = CredentialStore(backend)
    store.set("bridge:imis:Main", "s3cret")
    assert store.secure and store.notice is None
    assert backend.entries == {("informz_console", "bridge:imis:Main"): "s3cret"}
    assert CredentialStore(backend).get("bridge:imis:Main").reveal() == "s3cret"


def test_plaintext_file_keyring_is_refused(tmp_path):
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    store = CredentialStore(backend)
    store.set("bridge:imis:Main", "s3cret")
    assert not store.secure
    assert "in memory for this session" in store.notice
    assert not (tmp_path / "keyring.cfg").exists()  # nothing written in clear
    assert store.get("bridge:imis:Main").reveal() == "s3cret"
    assert CredentialStore(backend).get("bridge:imis:Main") is None  # gone with the session


def test_no_keyring_at_all_keeps_the_session_working():
    store = CredentialStore(NoKeyring())
    store.set("x", "pw")
    assert store.get("x").reveal() == "pw"
    store.delete("x")
    assert store.get("x") is None


def test_a_secret_never_shows_itself():
    secret = Secret("hunter2")
    assert "hunter2" not in repr(secret) and "hunter2" not in str(secret)
    assert "hunter2" not in f"{secret} {[secret]}"
