"""Errors a connector raises. Each message is one sentence a user can act on, never a secret."""

from __future__ import annotations


class ConnectorError(Exception):
    """Base: the AMS could not be used. `str(err)` is shown to the user as is."""

    transient = False  # worth retrying as is (timeouts, dropped connections)


class ConfigError(ConnectorError):
    """The bridge settings are wrong (bad URL, unknown table or field, bad page size)."""


class AuthError(ConnectorError):
    """The AMS refused the credentials."""


class UnreachableError(ConnectorError):
    """The AMS did not answer (refused, timed out, dropped the connection)."""

    transient = True


class RemoteDataError(ConnectorError):
    """The AMS answered with something we cannot read (malformed JSON/XML, missing fields)."""


class NotAllowedError(ConnectorError):
    """The operation needs a role the console user does not have (e.g. full refresh: staff)."""
