"""An advisor changes a subscriber's status in the mirror: unsubscribe, opt out, resubscribe,
mark a bad email. The change and the writebacks it owes each linked AMS (see
`domain.writeback_rules`) commit in one mirror transaction; delivering them is the caller's
next step (`deliver_now` for the ones due at once: iOPTOUT, iRESUB, iBADEMAIL, Personify and
netFORUM; iUNSUB waits for the 01:00 Eastern batch).

- A resubscribe first withdraws the subscriber's iUNSUB rows not sent (waiting for the batch,
  or failed: iMIS never heard of that unsubscribe, so there is nothing to undo, and a later
  retry must not unsubscribe again), and writes iRESUB only where an unsubscribe or opt-out
  remains queued or sent.
- A subscriber the AMS unsubscribed ("Unsubscribed from remote system") is resubscribed in the
  AMS, not here: the next sync lifts that status when the AMS flag is back on (seed 001).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import Connection, Engine, delete, select, update

from informz_console.domain.clock import Clock
from informz_console.domain.subscriber_status import SubscriberStatus
from informz_console.domain.writeback_rules import RESUBSCRIBED
from informz_console.store.models import Subscriber, Writeback
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.outbox import DeliveryReport, deliver_due
from informz_console.sync.writeback_rules import Queued, queue_for_subscriber


class SubscriberActionError(ValueError):
    """The action cannot be done as asked; the message says why, in one sentence."""


class Action(StrEnum):
    UNSUBSCRIBE = "unsubscribe"
    OPT_OUT = "optout"
    RESUBSCRIBE = "resubscribe"
    BAD_EMAIL = "bad-email"


TARGET = {
    Action.UNSUBSCRIBE: SubscriberStatus.UNSUBSCRIBED,
    Action.OPT_OUT: SubscriberStatus.OPTED_OUT,
    Action.RESUBSCRIBE: SubscriberStatus.ACTIVE,
    Action.BAD_EMAIL: SubscriberStatus.BAD_EMAIL,
}
DEFAULT_REASON = {
    Action.UNSUBSCRIBE: "Unsubscribed by an administrator",
    Action.OPT_OUT: "Opted out by an administrator",
    Action.RESUBSCRIBE: f"{RESUBSCRIBED} by an administrator",
    Action.BAD_EMAIL: "Marked as a bad email address by an administrator",
}
WORDS = {
    SubscriberStatus.ACTIVE: "active",
    SubscriberStatus.UNSUBSCRIBED: "unsubscribed",
    SubscriberStatus.OPTED_OUT: "opted out",
    SubscriberStatus.BAD_EMAIL: "marked as a bad email address",
    SubscriberStatus.REMOTE_UNSUBSCRIBED: "unsubscribed in the AMS",
}


@dataclass
class ActionResult:
    email: str
    status: str
    reason: str
    changed: bool
    queued: list[Queued] = field(default_factory=list)
    withdrawn: int = 0  # unsent iUNSUB rows withdrawn by a resubscribe

    @property
    def due_now_keys(self) -> list[str]:
        return [q.key for q in self.queued if q.type != "iUNSUB"]

    def sentence(self) -> str:
        word = WORDS[SubscriberStatus(self.status)]
        if not self.changed:
            return f"{self.email} is already {word}; nothing changed."
        parts = [f"{self.email} is now {word} ({self.reason})."]
        if self.withdrawn:
            parts.append(f"{self.withdrawn} unsent iUNSUB writeback(s) withdrawn.")
        if self.queued:
            listed = ", ".join(f"{q.type} to {q.bridge}" for q in self.queued)
            parts.append(f"Queued: {listed}.")
        else:
            parts.append("No writeback is owed to an AMS.")
        return " ".join(parts)


def _reason(action: Action, reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        return DEFAULT_REASON[action]
    if action is Action.RESUBSCRIBE and not text.startswith(RESUBSCRIBED):
        text = f"{RESUBSCRIBED}: {text}"  # the rules know a resubscribe by this prefix
    return text[:200]


def _find(conn: Connection, email: str) -> tuple[int, str, str]:
    found = conn.execute(select(Subscriber.id, Subscriber.email, Subscriber.status).where(
        Subscriber.email_key == email.strip().lower())).first()  # fmt: skip
    if found is None:
        raise SubscriberActionError(
            f"No subscriber has the email address {email.strip()!r}; check the spelling "
            f"(`explain EMAIL` looks it up).")
    return found.id, found.email, found.status


def _check(action: Action, status: str, email: str) -> None:
    if action is Action.RESUBSCRIBE and status == SubscriberStatus.REMOTE_UNSUBSCRIBED:
        raise SubscriberActionError(
            f"{email} was unsubscribed in the AMS itself; turn its email flag back on there and "
            f"the next sync resubscribes it.")


def _withdraw_batch(conn: Connection, subscriber_id: int) -> int:
    result = conn.execute(delete(Writeback).where(
        Writeback.subscriber_id == subscriber_id, Writeback.type == "iUNSUB",
        Writeback.state.in_(("ready", "failed"))))  # fmt: skip
    return result.rowcount or 0


def change_status(engine: Engine, clock: Clock, email: str, action: Action,
                  reason: str | None = None) -> ActionResult:  # fmt: skip
    """Set the status the action means, and queue its writebacks, in one transaction."""
    now, target, text = clock.now(), TARGET[action], _reason(action, reason)
    with engine.begin() as conn:
        sid, shown, status = _find(conn, email)
        _check(action, status, shown)
        if status == target:
            return ActionResult(shown, status, text, changed=False)
        withdrawn = _withdraw_batch(conn, sid) if action is Action.RESUBSCRIBE else 0
        conn.execute(update(Subscriber).where(Subscriber.id == sid).values(
            status=target.value, status_reason=text, status_at=now, updated_at=now,
            revision=Subscriber.revision + 1))  # fmt: skip
        queued = queue_for_subscriber(conn, sid, now)
    return ActionResult(shown, target.value, text, True, queued, withdrawn)


def deliver_now(engine: Engine, clock: Clock, credentials: CredentialStore,
                result: ActionResult) -> DeliveryReport | None:  # fmt: skip
    """Deliver the action's writebacks that are due at once; None when there are none."""
    keys = result.due_now_keys
    if not keys:
        return None
    return deliver_due(engine, clock, credentials, keys=keys)
