"""What one look-up reads from the mirror (in a job), as plain values for the page."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from informz_console.store.models import TargetGroup
from informz_console.store.queries.explain import Explanation, explain
from informz_console.store.queries.history import HistoryEntry, subscriber_history
from informz_console.store.queries.subscriber import (
    ExcludedRecord,
    SubscriberCard,
    SubscriberHit,
    excluded_records,
    search_subscribers,
    subscriber_card,
)
from informz_console.store.queries.writebacks import writeback_ids


@dataclass
class Found:
    """A search: the subscribers that match; when none has that email or AMS id exactly, the
    AMS records the latest resyncs excluded under it (they never became subscribers)."""

    text: str
    hits: list[SubscriberHit]
    excluded: list[ExcludedRecord] = field(default_factory=list)


def search(session: Session, text: str) -> Found:
    hits = search_subscribers(session, text)
    exact = any(hit.exact for hit in hits)
    return Found(text, hits, [] if exact else excluded_records(session, text))


@dataclass
class SubscriberPageData:
    card: SubscriberCard
    history: list[HistoryEntry]
    writeback_ids: list[int]


def subscriber_page(session: Session, subscriber_id: int) -> SubscriberPageData:
    card = subscriber_card(session, subscriber_id)
    if card is None:
        raise LookupError("This subscriber is no longer in the mirror; look it up again.")
    history = subscriber_history(session, card.id, card.email.strip().lower())
    return SubscriberPageData(card, history, writeback_ids(session, subscriber_id=card.id))


def explain_in(session: Session, email: str, group_id: int) -> Explanation:
    group = session.get(TargetGroup, group_id)
    if group is None:
        raise LookupError("That target group is no longer in the mirror; refresh its list.")
    return explain(session, email, group)
