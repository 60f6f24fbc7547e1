"""How xWeb problems become ConnectorErrors: one sentence each, never the password.

SOAP faults are classified by the `ErrorCode` in their detail when there is one, otherwise by
their text (a fault about the token means "sign in again"). Text from the server is quoted in a
message only after the password has been blanked out of it.
"""

from __future__ import annotations

import httpx

from informz_console.connectors.errors import (
    AuthError,
    ConfigError,
    ConnectorError,
    RemoteDataError,
    UnreachableError,
)

INVALID_TOKEN = "InvalidToken"
INVALID_CREDENTIALS = "InvalidCredentials"
MAX_QUOTED = 200


class UnknownCustomerError(ConnectorError):
    """A writeback named a CustomerKey netFORUM does not have (deleted or merged there)."""


def fault_kind(code: str | None, text: str, operation: str) -> str:
    """The ErrorCode of a fault, guessed from its text when the server sent none."""
    if code:
        return code
    lowered = text.lower()
    if operation == "Authenticate":
        return INVALID_CREDENTIALS
    if "token" in lowered:
        return INVALID_TOKEN
    return "Unknown"


class XWebErrors:
    """Builds the errors of one xWeb endpoint (`site` is what the user entered)."""

    def __init__(self, site: str, username: str, password: str, timeout_s: float) -> None:
        self.site = site
        self._username = username
        self._password = password
        self._timeout_s = timeout_s

    def quote(self, text: str) -> str:
        """Server text fit for a message: one line, short, and never the password."""
        text = " ".join(str(text).split())
        if self._password:
            text = text.replace(self._password, "***")
        text = text.rstrip(".")
        return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 3] + "..."

    def transport(self, exc: httpx.HTTPError, what: str) -> ConnectorError:
        if isinstance(exc, httpx.TimeoutException):
            return UnreachableError(
                f"netFORUM at {self.site} did not answer the {what} within "
                f"{self._timeout_s:g} seconds; check that the site is up, or raise the bridge's "
                f"timeout."
            )
        if isinstance(exc, httpx.ConnectError):
            return UnreachableError(
                f"netFORUM at {self.site} could not be reached; check the site URL and that the "
                f"server is running."
            )
        if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
            return UnreachableError(
                f"netFORUM at {self.site} closed the connection before finishing its answer to "
                f"the {what}; try again."
            )
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return ConfigError(
                f"The netFORUM site URL {self.site} is not a usable web address; check the "
                f"bridge's site URL."
            )
        return UnreachableError(
            f"netFORUM at {self.site} could not be used for the {what} ({type(exc).__name__}); "
            f"try again."
        )

    def status(self, status_code: int, reason: str, what: str) -> ConnectorError:
        code = f"{status_code} {reason}".strip()
        if status_code >= 500:
            return UnreachableError(
                f"netFORUM at {self.site} answered {code} to the {what}; it may be down or "
                f"restarting, try again later."
            )
        if status_code == 404:
            return ConfigError(
                f"netFORUM at {self.site} has no xWeb service at /xweb/secure/netForumXML.asmx "
                f"(404); check the site URL."
            )
        if status_code in (401, 403):
            return AuthError(
                f"netFORUM at {self.site} does not let {self._username} use xWeb ({code}); "
                f"check the user's xWeb access."
            )
        return RemoteDataError(
            f"netFORUM at {self.site} answered {code} to the {what}; check the site URL."
        )

    def malformed(self, what: str) -> RemoteDataError:
        return RemoteDataError(
            f"netFORUM at {self.site} answered the {what} with malformed XML; try again, and "
            f"check that the site URL points at netFORUM xWeb."
        )

    def not_soap(self, what: str) -> RemoteDataError:
        return RemoteDataError(
            f"netFORUM at {self.site} answered the {what} with something that is not an xWeb "
            f"SOAP answer; check that the site URL points at netFORUM xWeb."
        )

    def fault(self, kind: str, text: str, what: str, *, subject: str = "") -> ConnectorError:
        """The error for a SOAP fault that is not dealt with by signing in again."""
        quoted = self.quote(text)
        if kind == INVALID_CREDENTIALS:
            return AuthError(
                f"netFORUM at {self.site} refused the user name or password for "
                f"{self._username}; check them on the bridge page."
            )
        if kind == INVALID_TOKEN:
            return AuthError(
                f"netFORUM at {self.site} refused the session token even after signing in "
                f"again; check that {self._username} may use xWeb."
            )
        if kind == "UnknownService":
            return ConfigError(
                f"netFORUM at {self.site} has no InformzSync xWeb service; ask the netFORUM "
                f"administrator to install the Informz integration."
            )
        if kind == "UnknownMethod":
            return ConfigError(
                f"The InformzSync service of netFORUM at {self.site} cannot run the {what}; ask "
                f"the netFORUM administrator to update the Informz integration."
            )
        if kind == "UnknownQuery":
            return ConfigError(
                f"The messaging job query '{subject}' does not exist in netFORUM at {self.site}; "
                f"refresh the target group list."
            )
        if kind == "UnknownCustomer":
            return UnknownCustomerError(
                f"netFORUM at {self.site} has no customer with the key '{subject}'; the record "
                f"may have been deleted or merged there."
            )
        if kind == "ServerError":
            return UnreachableError(
                f"netFORUM at {self.site} failed while running the {what} ({quoted}); try again "
                f"later."
            )
        return RemoteDataError(f"netFORUM at {self.site} refused the {what}: {quoted}.")
