"""The IPM preference form's logic (seed 004): a signed link, the form's contents, a save.

- `make_link`: a URL to the form for one subscriber of one iMIS bridge, with a token bound to
  that subscriber and expiring (see `preferences_token`).
- `load_form`: whose preferences these are (name and masked email, so a reader of a forwarded
  mail sees they are someone else's) and the bridge's chosen remote interests (bridge setting
  `remote_interests`, "TABLE.FIELD") as checkboxes, read from the UD tables over ODBC.
- `save_form`: updates the UD row(s) in iMIS, only the boxes that changed, in one iMIS
  transaction, then queues one iINTEREST writeback per changed box (an Activity row with date,
  type and product code: "Informz will update the Date, Type, and Product Code for any change
  that occurred from a data input form change") and delivers them at once. A UD table without
  a row for the subscriber is reported (`MissingUdRowError`), never created; nothing is
  changed then.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from informz_console.connectors.errors import ConfigError
from informz_console.domain.clock import Clock
from informz_console.store.models import Bridge, Subscriber, SubscriberLink
from informz_console.sync.connector_factory import build_connector
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.lookup import find_bridge
from informz_console.sync.outbox import DeliveryReport, deliver_due, enqueue
from informz_console.sync.preferences_token import (
    PreferenceClaims,
    TokenRefused,
    claims_for,
    sign,
    signing_key,
    verify,
)

PATH = "/preferences"
GONE = "This preference link belongs to a subscriber who is no longer in the mirror."


@dataclass(frozen=True, slots=True)
class Interest:
    key: str  # TABLE.FIELD as the bridge setting names it
    label: str  # the field, for people
    checked: bool | None  # None: the UD table has no row for this subscriber


@dataclass(frozen=True)
class PreferenceForm:
    name: str
    masked_email: str
    bridge: str
    ams_id: str
    interests: list[Interest] = field(default_factory=list)

    @property
    def missing_tables(self) -> list[str]:
        return sorted({i.key.partition(".")[0] for i in self.interests if i.checked is None})


@dataclass
class SaveResult:
    form: PreferenceForm
    changes: list[tuple[str, bool]]
    delivery: DeliveryReport | None


def mask_email(email: str) -> str:
    """ann.smith@example.org -> a***@example.org: enough to recognise, not to harvest."""
    local, at, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}" if at else "***"


def _interests(bridge: Bridge) -> list[tuple[str, str]]:
    chosen = (bridge.settings or {}).get("remote_interests") or []
    items = chosen.split(",") if isinstance(chosen, str) else chosen
    pairs = [tuple(str(i).strip().partition(".")[::2]) for i in items if str(i).strip()]
    if bridge.kind != "imis" or not pairs:
        raise ConfigError(f"Bridge {bridge.name!r} has no remote interests chosen, so there is "
                          f"no preference form; choose its UD checkbox fields first.")  # fmt: skip
    return pairs  # type: ignore[return-value]


def make_link(engine: Engine, credentials: CredentialStore, clock: Clock, email: str,
              bridge_name: str, base_url: str, hours: float = 72, *,
              lasting: bool = True) -> str:  # fmt: skip
    """The form's URL for this subscriber, signed, valid for `hours`."""
    with Session(engine) as session:
        bridge = find_bridge(session, bridge_name)
        _interests(bridge)
        found = session.execute(
            select(Subscriber.id, SubscriberLink.ams_id)
            .join(SubscriberLink, SubscriberLink.subscriber_id == Subscriber.id)
            .where(Subscriber.email_key == email.strip().lower(),
                   SubscriberLink.bridge_id == bridge.id)).first()  # fmt: skip
        if found is None:
            raise LookupError(f"No subscriber with the email {email.strip()!r} is linked to an "
                              f"iMIS ID on bridge {bridge.name!r}.")  # fmt: skip
        claims = claims_for(bridge.id, found.id, found.ams_id, clock.now(),
                            timedelta(hours=hours))  # fmt: skip
    token = sign(claims, signing_key(engine, credentials, lasting=lasting))
    return f"{base_url.rstrip('/')}{PATH}?{urlencode({'t': token})}"


def check_token(engine: Engine, credentials: CredentialStore, clock: Clock,
                token: str) -> PreferenceClaims:  # fmt: skip
    return verify(token, signing_key(engine, credentials, lasting=False), clock.now())


def _subject(engine: Engine, claims: PreferenceClaims) -> tuple[Bridge, Subscriber]:
    with Session(engine, expire_on_commit=False) as session:
        bridge = session.get(Bridge, claims.bridge_id)
        subscriber = session.get(Subscriber, claims.subscriber_id)
        linked = session.get(SubscriberLink, (claims.bridge_id, claims.ams_id))
        if bridge is None or subscriber is None or linked is None \
                or linked.subscriber_id != subscriber.id:  # fmt: skip
            raise TokenRefused(GONE)
        session.expunge_all()
    return bridge, subscriber


def _full_name(subscriber: Subscriber) -> str:
    name = " ".join(p for p in (subscriber.first_name, subscriber.last_name) if p and p.strip())
    return name.strip() or "this subscriber"


def _read(connector: Any, ams_id: str, pairs: list[tuple[str, str]]) -> list[Interest]:
    values = {(t.casefold(), f.casefold()): v
              for (t, f), v in connector.read_ud_flags(ams_id, pairs).items()}  # fmt: skip
    return [Interest(f"{t}.{f}", _label(f), values.get((t.casefold(), f.casefold())))
            for t, f in pairs]  # fmt: skip


def _label(field_name: str) -> str:
    """EMAIL_NEWS -> "Email news": the field as a subscriber would read it."""
    return field_name.replace("_", " ").strip().capitalize() or field_name


def _with_connector(
    bridge: Bridge,
    credentials: CredentialStore,
    connector_for: Callable[..., Any],
    work: Callable[[Any], Any],
) -> Any:
    connector = connector_for(bridge, credentials)
    try:
        return work(connector)
    finally:
        connector.close()


def load_form(engine: Engine, credentials: CredentialStore, clock: Clock, token: str,
              connector_for: Callable[..., Any] = build_connector) -> PreferenceForm:  # fmt: skip
    claims = check_token(engine, credentials, clock, token)
    bridge, subscriber = _subject(engine, claims)
    pairs = _interests(bridge)
    interests = _with_connector(bridge, credentials, connector_for,
                                lambda c: _read(c, claims.ams_id, pairs))  # fmt: skip
    return PreferenceForm(_full_name(subscriber), mask_email(subscriber.email), bridge.name,
                          claims.ams_id, interests)  # fmt: skip


def save_form(engine: Engine, credentials: CredentialStore, clock: Clock, token: str,
              checked: Iterable[str],
              connector_for: Callable[..., Any] = build_connector) -> SaveResult:  # fmt: skip
    """Apply the submitted boxes (`checked`: the TABLE.FIELD keys ticked; any other chosen
    interest is unticked)."""
    claims = check_token(engine, credentials, clock, token)
    bridge, subscriber = _subject(engine, claims)
    pairs = _interests(bridge)
    wanted = {k.casefold() for k in checked}

    def apply(connector: Any) -> list[tuple[str, bool]]:
        current = _read(connector, claims.ams_id, pairs)
        changes = [(i.key, want) for i, want in ((i, i.key.casefold() in wanted)
                                                 for i in current)
                   if (want if i.checked is None else i.checked != want)]  # fmt: skip
        if changes:  # a table without a row raises MissingUdRowError: nothing is written
            connector.set_ud_flags(claims.ams_id, {tuple(k.partition(".")[::2]): v
                                                   for k, v in changes})  # fmt: skip
        return changes

    changes = _with_connector(bridge, credentials, connector_for, apply)
    keys = _queue_activities(engine, clock.now(), bridge, subscriber, claims, changes)
    delivery = deliver_due(engine, clock, credentials, keys=keys, connector_for=connector_for) \
        if keys else None  # fmt: skip
    return SaveResult(load_form(engine, credentials, clock, token, connector_for), changes,
                      delivery)  # fmt: skip


def _queue_activities(
    engine: Engine,
    now: datetime,
    bridge: Bridge,
    subscriber: Subscriber,
    claims: PreferenceClaims,
    changes: list[tuple[str, bool]],
) -> list[str]:
    keys = []
    submission = uuid.uuid4().hex  # each save is its own change, whatever the clock says
    with engine.begin() as conn:
        for interest, value in changes:
            key = f"iINTEREST:{bridge.id}:s{subscriber.id}:{interest}:{submission}"
            payload = {"ams_id": claims.ams_id, "email": subscriber.email, "interest": interest,
                       "checked": value, "at": now.isoformat()}  # fmt: skip
            enqueue(conn, bridge_id=bridge.id, subscriber_id=subscriber.id, type="iINTEREST",
                    key=key, payload=payload, now=now)  # fmt: skip
            keys.append(key)
    return keys
