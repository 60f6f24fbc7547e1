"""When a sync is due: login, nightly and weekend rules, and compound-group expansion.

Pure functions over UTC-aware times; `now` always comes from the caller's clock. The rules are
the seeds' (table "Triggers and windows" in DOMAIN.md):

- login (seed 001, Personify360): "A login sync ... occurs when ten minutes have elapsed since
  the last sync of Personify360's MKT Lists"; (seed 003, netFORUM Pro): "thirty or more minutes
  have passed ... if and only if the integration is active and the user is not an Informz staff
  person". iMIS and iDSS have no login sync.
- nightly (seed 000, iMIS): groups "created in the last seven days, or that were used in an
  emailing in the last 90 days"; (seed 001, Personify360): "modified within the past seven days
  or used in a mailing within the past 90 days"; (seed 003, netFORUM Pro): created in the past
  seven days, used in a mailing in the past 90 days, or "part of a compound group used in the
  past 90 days". iDSS syncs in real time and has no nightly.
- weekend (seed 000, iMIS): "each Sunday morning ... a full sync on all iMIS target groups".

Windows (ours; the seeds give no hours). Both are reckoned in US Eastern time
(`America/New_York`, daylight saving included), the platform's own clock (DOMAIN.md: the
iUNSUB batch runs "at 01:00 (Eastern)"):

- the night runs from 18:00 to 06:00 Eastern and is named by the date it starts; the nightly
  runs at most once per night;
- Sunday morning is Sunday 00:00 up to (not including) 12:00 Eastern; the weekend sync runs at
  most once per Sunday.

A limit of "N days" includes exactly N days: a group created 7 days ago to the second is still
eligible, one second more is not. A time in the future (clock skew) counts as "within".

On Windows `zoneinfo` needs the `tzdata` package for "America/New_York".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EASTERN = ZoneInfo("America/New_York")

PERSONIFY_LOGIN_INTERVAL = timedelta(minutes=10)
NETFORUM_LOGIN_INTERVAL = timedelta(minutes=30)
RECENT_CHANGE = timedelta(days=7)  # created / modified "in the last seven days"
RECENT_USE = timedelta(days=90)  # used in a mailing "in the last 90 days"

NIGHT_START = time(18, 0)  # Eastern; the night ends at NIGHT_END the next morning
NIGHT_END = time(6, 0)
SUNDAY_MORNING_START = time(0, 0)  # Eastern, inclusive
SUNDAY_MORNING_END = time(12, 0)  # Eastern, exclusive
SUNDAY = 6  # date.weekday()

NO_NIGHTLY_KINDS = frozenset({"idss"})  # real time


def _check_aware(*values: datetime | None) -> None:
    for value in values:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a trigger rule; use UTC-aware times")


def _within(then: datetime | None, now: datetime, limit: timedelta) -> bool:
    return then is not None and now - then <= limit


# -- login ---------------------------------------------------------------------------------


def login_refresh_due(
    kind: str,
    last_list_refresh_at: datetime | None,
    now: datetime,
    *,
    active: bool,
    user_is_staff: bool,
) -> bool:
    """Does a login refresh the bridge's target group list and personalization fields?

    Personify360: 10 minutes or more since the last list refresh (or never refreshed).
    netFORUM Pro: 30 minutes or more, and only when the integration is active and the user is
    not staff. Other AMSs: never.
    """
    _check_aware(last_list_refresh_at, now)
    if kind == "personify":
        interval = PERSONIFY_LOGIN_INTERVAL
    elif kind == "netforum":
        if not active or user_is_staff:
            return False
        interval = NETFORUM_LOGIN_INTERVAL
    else:
        return False
    return last_list_refresh_at is None or now - last_list_refresh_at >= interval


def login_refresh_reason(kind: str, last_list_refresh_at: datetime | None, now: datetime) -> str:
    if last_list_refresh_at is None:
        return "target group list never refreshed"
    minutes = int((now - last_list_refresh_at).total_seconds() // 60)
    return f"target group list last refreshed {minutes} minutes ago"


# -- nightly -------------------------------------------------------------------------------


def nightly_reason(
    kind: str,
    group_created_at: datetime | None,
    group_modified_at: datetime | None,
    last_used_in_mailing_at: datetime | None,
    compound_used_at: datetime | None,
    now: datetime,
) -> str | None:
    """Why the nightly sync takes this group ("used in a mailing 12 days ago"), None if not."""
    _check_aware(
        group_created_at, group_modified_at, last_used_in_mailing_at, compound_used_at, now
    )
    if kind in NO_NIGHTLY_KINDS:
        return None
    if kind == "personify":
        recent = ("modified", group_modified_at)
    elif kind in ("imis", "netforum"):
        recent = ("created", group_created_at)
    else:
        return None
    label, changed_at = recent
    if _within(changed_at, now, RECENT_CHANGE):
        return f"{label} {_ago(changed_at, now)}"  # type: ignore[arg-type]
    if _within(last_used_in_mailing_at, now, RECENT_USE):
        return f"used in a mailing {_ago(last_used_in_mailing_at, now)}"  # type: ignore[arg-type]
    if kind == "netforum" and _within(compound_used_at, now, RECENT_USE):
        return f"part of a compound group used in a mailing {_ago(compound_used_at, now)}"  # type: ignore[arg-type]
    return None


def nightly_eligible(
    kind: str,
    group_created_at: datetime | None,
    group_modified_at: datetime | None,
    last_used_in_mailing_at: datetime | None,
    compound_used_at: datetime | None,
    now: datetime,
) -> bool:
    """Does the nightly sync resync this group? See the module docstring for the rules."""
    return (
        nightly_reason(
            kind,
            group_created_at,
            group_modified_at,
            last_used_in_mailing_at,
            compound_used_at,
            now,
        )
        is not None
    )


def night_of(moment: datetime) -> date | None:
    """The night `moment` falls in (named by the Eastern date it starts), None in daytime."""
    _check_aware(moment)
    local = moment.astimezone(EASTERN)
    if local.time() >= NIGHT_START:
        return local.date()
    if local.time() < NIGHT_END:
        return local.date() - timedelta(days=1)
    return None


def nightly_run_due(now: datetime, last_nightly_run_at: datetime | None) -> bool:
    """Is it night, and has the nightly not run yet this night?"""
    _check_aware(now, last_nightly_run_at)
    tonight = night_of(now)
    if tonight is None:
        return False
    return last_nightly_run_at is None or night_of(last_nightly_run_at) != tonight


# -- weekend -------------------------------------------------------------------------------


def sunday_morning_of(moment: datetime) -> date | None:
    """The Eastern date of the Sunday morning `moment` falls in, None outside one."""
    _check_aware(moment)
    local = moment.astimezone(EASTERN)
    if local.weekday() == SUNDAY and SUNDAY_MORNING_START <= local.time() < SUNDAY_MORNING_END:
        return local.date()
    return None


def weekend_full_sync_due(now: datetime, last_weekend_run_at: datetime | None) -> bool:
    """Is it Sunday morning (Eastern), and has the weekend sync not run yet this Sunday?"""
    _check_aware(now, last_weekend_run_at)
    sunday = sunday_morning_of(now)
    if sunday is None:
        return False
    return last_weekend_run_at is None or (last_weekend_run_at.astimezone(EASTERN).date() != sunday)


# -- compound groups -----------------------------------------------------------------------


def expand_mailing_groups(
    group_ids: Iterable[int], compound_members: Mapping[int, list[int]]
) -> list[int]:
    """The groups a mailing reaches: compound groups replaced by their members (recursively,
    a cycle visited once), each group once, in the order first met."""
    out: list[int] = []
    seen_groups: set[int] = set()
    seen_compounds: set[int] = set()

    def visit(group_id: int) -> None:
        if group_id in compound_members:
            if group_id in seen_compounds:
                return
            seen_compounds.add(group_id)
            for member in compound_members[group_id]:
                visit(member)
        elif group_id not in seen_groups:
            seen_groups.add(group_id)
            out.append(group_id)

    for group_id in group_ids:
        visit(group_id)
    return out


def _ago(then: datetime, now: datetime) -> str:
    delta = now - then
    if delta < timedelta(0):
        return "just now"
    days = delta.days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''} ago"
    hours = int(delta.total_seconds() // 3600)
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    return "less than an hour ago"
