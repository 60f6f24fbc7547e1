"""The mirror's tables. Schema changes only through Alembic (store/migrations).

Times are timezone-aware UTC (`UtcDateTime`), emails are unique compared case-insensitively
(`subscriber.email_key` is the lower-cased address), and a secret is only ever a keyring
*name* (`bridge.secret_name`), never the secret.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from informz_console.domain.subscriber_status import BLOCKING_STATUS_REASON

BLOCKED_SQL = text("status IN (" + ", ".join(
    f"'{status.value}'" for status in BLOCKING_STATUS_REASON) + ")")


class UtcDateTime(TypeDecorator[datetime]):
    """Stores UTC, hands back aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the mirror; use UTC-aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime, dict[str, Any]: JSON}


class Bridge(Base):
    __tablename__ = "bridge"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # imis | personify | netforum | idss
    name: Mapped[str] = mapped_column(String(100), unique=True)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # endpoint settings, no secret
    secret_name: Mapped[str | None] = mapped_column(String(200))  # keyring entry name
    accepted_statuses: Mapped[str] = mapped_column(String(200), default="A")  # comma-separated
    email_source: Mapped[str] = mapped_column(String(100), default="name")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_list_refresh_at: Mapped[datetime | None]
    change_high_water: Mapped[int] = mapped_column(Integer, default=0)  # iMIS Informz_Changes
    personalization_fields: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[datetime]


class TargetGroup(Base):
    __tablename__ = "target_group"
    __table_args__ = (UniqueConstraint("bridge_id", "remote_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bridge_id: Mapped[int] = mapped_column(ForeignKey("bridge.id", ondelete="CASCADE"))
    remote_key: Mapped[str] = mapped_column(String(400))
    name: Mapped[str] = mapped_column(String(400))
    folder: Mapped[str] = mapped_column(String(400), default="")
    kind: Mapped[str] = mapped_column(String(16), default="query")  # query | interest | compound
    created_at: Mapped[datetime | None]
    modified_at: Mapped[datetime | None]
    last_used_in_mailing_at: Mapped[datetime | None]
    last_synced_at: Mapped[datetime | None]
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    removed_from_ams_at: Mapped[datetime | None]  # the AMS no longer lists it


class CompoundMember(Base):
    __tablename__ = "compound_member"

    compound_id: Mapped[int] = mapped_column(
        ForeignKey("target_group.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("target_group.id", ondelete="CASCADE"), primary_key=True
    )


# Indexes that only SQLite's plans read: their migrations make them on SQLite alone.
SQLITE_ONLY_INDEXES = frozenset({"ix_subscriber_revision"})


class Subscriber(Base):
    __tablename__ = "subscriber"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320), unique=True)  # lower(email)
    status: Mapped[str] = mapped_column(String(24), default="active")
    status_reason: Mapped[str | None] = mapped_column(String(200))
    status_at: Mapped[datetime | None]
    first_name: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(200))
    company: Mapped[str | None] = mapped_column(String(300))
    fields: Mapped[dict[str, Any] | None]  # personalization fields
    source: Mapped[str] = mapped_column(String(16), default="sync")  # sync | upload
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Counts the writes to this row: every UPDATE of a subscriber adds one, so a resync knows
    # the subscriber is as its last sync left it (sync/last_synced.py)
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (
        # The few subscribers no group may hold (sync/resolve.mark_blocked_in_mirror)
        Index("ix_subscriber_blocked", "id", sqlite_where=BLOCKED_SQL,
              postgresql_where=BLOCKED_SQL),
        # Which synced records still hold, read from the index alone (migration 0008; SQLite
        # only: PostgreSQL's plan reads the revision from the table's key all the same)
        Index("ix_subscriber_revision", "id", "revision").ddl_if(dialect="sqlite"),
    )


class SubscriberLink(Base):
    """The AMS id of a subscriber on one bridge (one per subscriber per bridge)."""

    __tablename__ = "subscriber_link"
    __table_args__ = (
        UniqueConstraint("bridge_id", "subscriber_id"),
        Index("ix_subscriber_link_subscriber", "subscriber_id"),
        {"sqlite_with_rowid": False},  # the key is the table (migration 0005)
    )

    bridge_id: Mapped[int] = mapped_column(
        ForeignKey("bridge.id", ondelete="CASCADE"), primary_key=True
    )
    ams_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscriber.id", ondelete="CASCADE"))
    linked_at: Mapped[datetime]


class SyncedRecord(Base):
    """An AMS record as its bridge last synced it: a digest of the record and where it went,
    so a resync passes over a record that is as before (sync/last_synced.py). A record
    excluded for itself keeps its reason; a kept one, its subscriber and that subscriber's
    revision then."""

    __tablename__ = "synced_record"
    __table_args__ = ({"sqlite_with_rowid": False},)

    bridge_id: Mapped[int] = mapped_column(
        ForeignKey("bridge.id", ondelete="CASCADE"), primary_key=True
    )
    ams_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[int] = mapped_column(BigInteger)
    subscriber_id: Mapped[int | None] = mapped_column(Integer)
    sub_revision: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(String(400))
    raw_email: Mapped[str | None] = mapped_column(String(400))  # only when not the subscriber's
    email_key: Mapped[str | None] = mapped_column(String(400))


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (
        Index("ix_membership_subscriber", "subscriber_id"),
        {"sqlite_with_rowid": False},  # the key is the table (migration 0005)
    )

    group_id: Mapped[int] = mapped_column(
        ForeignKey("target_group.id", ondelete="CASCADE"), primary_key=True
    )
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscriber.id", ondelete="CASCADE"), primary_key=True
    )
    added_run_id: Mapped[int | None] = mapped_column(Integer)


class Mailing(Base):
    __tablename__ = "mailing"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    published_at: Mapped[datetime | None]


class MailingGroup(Base):
    __tablename__ = "mailing_group"

    mailing_id: Mapped[int] = mapped_column(
        ForeignKey("mailing.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("target_group.id", ondelete="CASCADE"), primary_key=True
    )


class SyncRun(Base):
    __tablename__ = "sync_run"
    __table_args__ = (Index("ix_sync_run_group_started", "group_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bridge_id: Mapped[int] = mapped_column(ForeignKey("bridge.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("target_group.id", ondelete="SET NULL")
    )
    trigger: Mapped[str] = mapped_column(String(24))  # manual | login | mailing | nightly | ...
    kind: Mapped[str] = mapped_column(String(24))  # refresh_list | resync_group | partial | full
    mode: Mapped[str] = mapped_column(String(16), default="live")  # live | dry_run
    status: Mapped[str] = mapped_column(String(16))  # running | succeeded | failed | cancelled
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    expected: Mapped[int | None] = mapped_column(Integer)  # the AMS's own count, when told
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    excluded: Mapped[int] = mapped_column(Integer, default=0)
    members_after: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(300))  # "host:pid" of the process running it


class Exclusion(Base):
    __tablename__ = "exclusion"
    __table_args__ = (
        Index("ix_exclusion_run_reason", "run_id", "reason"),
        Index("ix_exclusion_email", "email_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_run.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(Integer)
    ams_id: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(400))  # as the AMS holds it
    email_key: Mapped[str | None] = mapped_column(String(400))  # lower(trimmed email)
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(String(400))


class RunLog(Base):
    __tablename__ = "run_log"
    __table_args__ = (Index("ix_run_log_run", "run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_run.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    level: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)


class RunChange(Base):
    """What one run did to one subscriber: added | updated | removed (+ what changed)."""

    __tablename__ = "run_change"
    __table_args__ = (
        Index("ix_run_change_run", "run_id"),
        Index("ix_run_change_subscriber", "subscriber_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("sync_run.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(Integer)
    subscriber_id: Mapped[int | None] = mapped_column(Integer)
    ams_id: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(400))
    change: Mapped[str] = mapped_column(String(16))  # created | linked | added | updated | removed
    reason: Mapped[str | None] = mapped_column(String(32))  # why removed: an ExclusionReason or
    # "not_in_query" (the AMS no longer returns the record)
    detail: Mapped[str | None] = mapped_column(String(1000))


class Writeback(Base):
    """The durable outbox: one row per change to send to an AMS, idempotent by `key`."""

    __tablename__ = "writeback"
    __table_args__ = (Index("ix_writeback_state", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bridge_id: Mapped[int] = mapped_column(ForeignKey("bridge.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscriber.id", ondelete="SET NULL")
    )
    type: Mapped[str] = mapped_column(String(24))  # iUNSUB iOPTOUT iCORRECT iRESUB iBADEMAIL ...
    key: Mapped[str] = mapped_column(String(300), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="ready")  # ready|processing|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(300))  # "host:pid" while processing


class EmailVerdictRow(Base):
    """Each distinct address that needed the slow validator, validated once (cache)."""

    __tablename__ = "email_verdict"

    raw: Mapped[str] = mapped_column(String(400), primary_key=True)
    valid: Mapped[bool] = mapped_column(Boolean)
    email: Mapped[str | None] = mapped_column(String(400))
    reason: Mapped[str | None] = mapped_column(String(300))
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)


class Setting(Base):
    """Mirror-wide settings (retention days, ...). User-level settings live in the config dir."""

    __tablename__ = "setting"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ContactError(Base):
    """A contact the AMS could not be synced with (iDSS shows it red): the request sent and
    the system error received, until a later sync of that contact succeeds."""

    __tablename__ = "contact_error"
    __table_args__ = (Index("ix_contact_error_contact", "bridge_id", "ams_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bridge_id: Mapped[int] = mapped_column(ForeignKey("bridge.id", ondelete="CASCADE"))
    ams_id: Mapped[str] = mapped_column(String(64))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_run.id", ondelete="SET NULL"))
    at: Mapped[datetime]
    request: Mapped[str] = mapped_column(Text)  # method, path and body; never a secret
    system_error: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
