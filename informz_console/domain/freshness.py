"""Is a Personify MKT list stale? A list not regenerated within its regeneration frequency.

Seed 001: "Data pulled into Informz will be up to date as of the last list refresh." Personify's
MKT510 (once) and MKT600 (scheduled) jobs regenerate a list on the frequency chosen for it
(Daily, Weekly, Monthly, ...); a sync reads the list as the last regeneration left it. So a list
whose last regeneration is older than its frequency holds members that may no longer match, and
the console says so next to the target group.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

# The longest a list of each frequency may go without a regeneration (calendar months and years
# vary, so their longest span: 31 days, 92 for a quarter, 184 for half a year, 366 for a year).
PERIOD_DAYS: dict[str, int] = {
    "daily": 1,
    "weekly": 7,
    "biweekly": 14,
    "fortnightly": 14,
    "semimonthly": 16,
    "monthly": 31,
    "bimonthly": 62,
    "quarterly": 92,
    "semiannually": 184,
    "semiannual": 184,
    "yearly": 366,
    "annually": 366,
    "annual": 366,
}


def frequency_period(frequency: str | None) -> timedelta | None:
    """The longest allowed gap for a frequency name, None when the name is unknown or empty.

    Names are matched without case, spaces, hyphens and underscores ("Semi-Annually")."""
    if not frequency:
        return None
    key = "".join(ch for ch in frequency.casefold() if ch.isalnum())
    days = PERIOD_DAYS.get(key)
    return None if days is None else timedelta(days=days)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_stale(frequency: str | None, last_regenerated: datetime | None, now: datetime) -> bool:
    """True when a list with this regeneration frequency was not regenerated within it.

    Seed 001: "Data pulled into Informz will be up to date as of the last list refresh."

    - an unknown or missing frequency (no scheduled MKT600 job): never stale, nothing is promised;
    - a frequency but no regeneration ever (MKT510 never ran): stale;
    - otherwise stale when `now - last_regenerated` is more than the frequency's period
      (Daily 1 day, Weekly 7, Monthly 31, Quarterly 92, Yearly 366; exactly the period is
      still fresh). A regeneration dated after `now` (clock skew) is fresh.

    Naive datetimes are read as UTC.
    """
    period = frequency_period(frequency)
    if period is None:
        return False
    if last_regenerated is None:
        return True
    return _utc(now) - _utc(last_regenerated) > period
