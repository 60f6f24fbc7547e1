"""Helpers for the writeback tests: iMIS bridges on the sandbox, linked subscribers, Activity
rows read back from the sandbox database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from informz_console.store.models import Subscriber, SubscriberLink
from informz_console.sync.bridges import BridgeSpec, save_bridge
from informz_console.sync.outbox import bridge_id_of

INTERESTS = ["Informz_Preferences.NEWSLETTER", "Informz_Preferences.EVENTS",
             "Informz_Topics.WEBINARS"]  # fmt: skip


def imis_bridge(mirror: Engine, credentials, clock, imis, name: str = "iMIS") -> int:  # type: ignore[no-untyped-def]
    """An iMIS bridge on the sandbox with a UD opt-out field and three remote interests."""
    settings = imis.bridge_settings(ud_opt_out_field="EMAIL_OPT_OUT", remote_interests=INTERESTS)
    credentials.set(save_bridge(mirror, BridgeSpec("imis", name, settings), clock), imis.password)
    return bridge_id_of(mirror, name)


def add_subscriber(engine: Engine, now: datetime, links: dict[int, str], email: str, *,
                   first: str = "Ann", last: str = "Lee", status: str = "active",
                   reason: str | None = None, status_at: datetime | None = None) -> int:
    """A subscriber linked to an AMS id on each bridge of `links` (bridge id -> AMS id)."""
    with Session(engine) as session:
        sub = Subscriber(email=email, email_key=email.lower(), status=status,
                         status_reason=reason, status_at=status_at or now, first_name=first,
                         last_name=last, created_at=now, updated_at=now)  # fmt: skip
        session.add(sub)
        session.flush()
        for bridge_id, ams_id in links.items():
            session.add(SubscriberLink(bridge_id=bridge_id, ams_id=ams_id, subscriber_id=sub.id,
                                       linked_at=now))  # fmt: skip
        session.commit()
        return sub.id


def members(imis, count: int, where: str = "1 = 1") -> list[str]:  # type: ignore[no-untyped-def]
    """`count` iMIS IDs that have an Informz_Preferences row (and match `where`)."""
    return [i for (i,) in imis.execute(
        f"SELECT ID FROM Informz_Preferences WHERE {where} ORDER BY ID LIMIT ?", (count,))]


def activities(imis, ams_id: str | None = None) -> list[tuple]:  # type: ignore[no-untyped-def]
    """(ID, ACTIVITY_TYPE, PRODUCT_CODE, UF_1, UF_2, UF_3) of the rows the console wrote."""
    sql = ("SELECT ID, ACTIVITY_TYPE, PRODUCT_CODE, UF_1, UF_2, UF_3 FROM Activity "
           "WHERE UF_3 LIKE 'informz:%'")  # fmt: skip
    if ams_id is not None:
        return imis.execute(sql + " AND ID = ? ORDER BY SEQN", (ams_id,))
    return imis.execute(sql + " ORDER BY SEQN")
