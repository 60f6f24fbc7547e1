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
from informz_console.connectors.http_send import AmsHttp, status_text

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
        self._http = AmsHttp(
            "netFORUM", site, timeout_s, names_call=True, names_call_when_unusable=True
        )

    def quote(self, text: str) -> str:
        """Server text fit for a message: one line, short, and never the password."""
        text = " ".join(str(text).split())
        if self._password:
            text = text.replace(self._password, "***")
        text = text.rstrip(".")
        return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 3] + "..."

    def transport(self, exc: httpx.HTTPError, what: str) -> ConnectorError:
        return self._http.transport_error(exc, what)

    def status(self, status_code: int, reason: str, what: str) -> ConnectorError:
        code = status_text(status_code, reason)
        if status_code >= 500:
            return self._http.server_down(code, what)
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
        return self._http.unexpected_status(code, what)

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
