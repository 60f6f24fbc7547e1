"""Signed, expiring preference-link tokens bound to one subscriber (seed 004, forwarded mail).

"A forwarded mailing with a link to an IPM form will update the original subscriber's
preferences": so the link names whose preferences it opens, and nobody can change that. The
token is `BODY.SIGNATURE`: BODY is base64url JSON `["ipm1", bridge id, subscriber id, AMS id,
expires (Unix seconds)]`, SIGNATURE is base64url HMAC-SHA256 of BODY under the mirror's
preference key. Any change to BODY (another subscriber, a later expiry) breaks the signature;
after `expires` the token is refused even when intact.

The key is 32 random bytes, made once per mirror and kept in the OS keyring under
`preferences-key:<mirror id>` (the mirror id is a random name stored in the mirror's settings;
the key never is). A mirror whose key is gone (another machine, a wiped keyring) refuses its
old links, and new links are signed with a new key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from informz_console.store.models import Setting
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.upsert import insert_ignore

VERSION = "ipm1"
MIRROR_ID = "mirror_id"
MAX_LIFETIME = timedelta(days=90)


class TokenRefused(Exception):
    """The link is not valid (tampered, expired, unknown key); the message says so."""


class NoLastingKey(Exception):
    """No secure keyring: a key kept in memory would die with this process."""


@dataclass(frozen=True, slots=True)
class PreferenceClaims:
    bridge_id: int
    subscriber_id: int
    ams_id: str
    expires: int  # Unix seconds

    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mirror_id(engine: Engine) -> str:
    """The mirror's random name (made on first use; not a secret)."""
    with engine.begin() as conn:
        conn.execute(insert_ignore(conn, Setting.__table__),
                     [{"name": MIRROR_ID, "value": secrets.token_hex(16)}])  # fmt: skip
        return conn.execute(select(Setting.value).where(Setting.name == MIRROR_ID)).scalar_one()


def signing_key(engine: Engine, credentials: CredentialStore, *, lasting: bool) -> bytes:
    """The mirror's preference key, made when missing. `lasting`: refuse to make one that only
    this process would know (no secure keyring), since links must outlive it."""
    name = f"preferences-key:{mirror_id(engine)}"
    stored = credentials.get(name)
    if stored is not None:
        return bytes.fromhex(stored.reveal())
    if lasting and not credentials.secure:
        raise NoLastingKey(
            "No secure keyring is available on this machine, so the preference links' signing "
            "key cannot be kept; set up the system keyring (e.g. Secret Service) and try again."
        )
    key = secrets.token_bytes(32)
    credentials.set(name, key.hex())
    return key


def _signature(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())


def sign(claims: PreferenceClaims, key: bytes) -> str:
    fields = [VERSION, claims.bridge_id, claims.subscriber_id, claims.ams_id, claims.expires]
    body = _b64(json.dumps(fields, separators=(",", ":")).encode("utf-8"))
    return f"{body}.{_signature(key, body)}"


TAMPERED = ("This preference link is not valid: it was changed or cut short. Use the link "
            "exactly as it came in the email, or ask for a new one.")  # fmt: skip
EXPIRED = "This preference link has expired; ask for a new one."


def verify(token: str, key: bytes, now: datetime) -> PreferenceClaims:
    """The claims of an intact, unexpired token; TokenRefused with one sentence otherwise."""
    body, dot, signature = (token or "").strip().partition(".")
    if not dot or not hmac.compare_digest(_signature(key, body).encode(), signature.encode()):
        raise TokenRefused(TAMPERED)
    try:
        version, bridge_id, subscriber_id, ams_id, expires = json.loads(_unb64(body))
    except (ValueError, TypeError):
        raise TokenRefused(TAMPERED) from None
    if version != VERSION:
        raise TokenRefused(TAMPERED)
    if now.timestamp() >= expires:
        raise TokenRefused(EXPIRED)
    return PreferenceClaims(int(bridge_id), int(subscriber_id), str(ams_id), int(expires))


def claims_for(bridge_id: int, subscriber_id: int, ams_id: str, now: datetime,
               lifetime: timedelta) -> PreferenceClaims:  # fmt: skip
    if not timedelta(0) < lifetime <= MAX_LIFETIME:
        hours = int(MAX_LIFETIME.total_seconds() // 3600)
        raise ValueError(f"A preference link lives more than 0 and at most {hours} hours; "
                         f"choose --hours within that.")  # fmt: skip
    return PreferenceClaims(bridge_id, subscriber_id, ams_id, int((now + lifetime).timestamp()))
