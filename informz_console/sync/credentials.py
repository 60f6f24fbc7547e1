"""Secrets by name: the OS keyring when it is a secure one, else memory for this session.

A headless Linux box often has only keyrings.alt's plaintext file (or no backend at all);
writing a password there would put it in a file in clear, so we refuse that backend and keep
secrets in memory for this session instead, and say so (`notice`).
"""

from __future__ import annotations

import contextlib

import keyring
import keyring.backend
from keyring.errors import KeyringError

SERVICE = "informz_console"

_INSECURE_MODULES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")


class Secret:
    """A secret value that never shows itself in a repr, str, log line or exception."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def _is_secure(backend: keyring.backend.KeyringBackend) -> bool:
    children = getattr(backend, "backends", None)
    if children is not None:  # a ChainerBackend: secure if any member is
        return any(_is_secure(child) for child in children)
    module = type(backend).__module__
    return not module.startswith(_INSECURE_MODULES) and backend.priority > 0


class CredentialStore:
    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend if backend is not None else keyring.get_keyring()
        self.secure = _is_secure(self._backend)
        self._memory: dict[str, str] = {}

    @property
    def notice(self) -> str | None:
        if self.secure:
            return None
        return (
            "No secure keyring is available on this machine: passwords are kept in memory "
            "for this session only and will be asked for again next time."
        )

    def get(self, name: str) -> Secret | None:
        if name in self._memory:
            return Secret(self._memory[name])
        if not self.secure:
            return None
        try:
            value = self._backend.get_password(SERVICE, name)
        except KeyringError:
            return None
        return Secret(value) if value is not None else None

    def set(self, name: str, secret: str) -> None:
        if not self.secure:
            self._memory[name] = secret
            return
        try:
            self._backend.set_password(SERVICE, name, secret)
        except KeyringError:  # a locked or broken keyring: fall back to the session
            self._memory[name] = secret

    def delete(self, name: str) -> None:
        self._memory.pop(name, None)
        if self.secure:
            with contextlib.suppress(KeyringError):
                self._backend.delete_password(SERVICE, name)
