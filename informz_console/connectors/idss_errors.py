"""The one iDSS error that belongs to a single contact rather than to the connection.

Seed 002: "When a contact is highlighted in red on a distribution list, it indicates that there was
an error syncing the contact to Informz ... Informz SoftOps can check the XML call and system
error to resolve the error." So a failed informz code writeback keeps both: the call as sent
(`request`: method, path, JSON body; never the API key, which travels in a header we do not
record) and the error text iDSS answered (`system_error`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from informz_console.connectors.errors import ConnectorError


@dataclass(frozen=True, slots=True)
class SentRequest:
    """A call exactly as the connector sent it, minus headers (the API key lives there)."""

    method: str  # "PATCH"
    path: str  # "/api/v1/contacts/500001", from the site root
    body: str  # the JSON text sent, e.g. '{"informz_code":"IZ1"}'

    @property
    def json(self) -> object:
        return json.loads(self.body)

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.body}"

    def to_mapping(self) -> dict[str, str]:
        return {"method": self.method, "path": self.path, "body": self.body}


class ContactSyncError(ConnectorError):
    """iDSS refused a write for one contact; other contacts are unaffected.

    `str(err)` is one sentence for the user; `request` and `system_error` are what SoftOps needs;
    `status` is the HTTP status iDSS answered; `contact_id` the contact concerned. A 5xx answer
    is `transient` (worth retrying as is), a 4xx is not."""

    def __init__(
        self,
        message: str,
        *,
        contact_id: str,
        request: SentRequest,
        system_error: str,
        status: int,
    ) -> None:
        super().__init__(message)
        self.contact_id = contact_id
        self.request = request
        self.system_error = system_error
        self.status = status
        self.transient = status >= 500
