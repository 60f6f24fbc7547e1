"""The pieces every sandbox population is drawn with: name tables, the email mess, a calendar.

Every draw takes `r`, the population's `random.Random(seed).random`, and consumes it in a fixed
order, so the same seed gives the same rows; the AMS modules (`imis_people`, `netforum_people`,
`personify_people`, `idss_data`) decide what is drawn when, and at which rates.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

T = TypeVar("T")
Draw = Callable[[], float]

# The common tables; some AMS add to them (see their modules). Order matters: rows draw by index.
# fmt: off
FIRST = [
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William",
    "Elizabeth", "David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah",
    "Charles", "Karen", "Chris", "Nancy", "Daniel", "Lisa", "Matthew", "Betty", "Anthony",
    "Margaret", "Mark", "Sandra", "Donald", "Ashley", "Steven", "Kimberly", "Paul", "Emily",
]
LAST = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "O'Neil",
]
COMPANIES = [
    "Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Industries", "Wayne Enterprises",
    "Hooli", "Vandelay Industries", "Soylent", "Tyrell Corp", "Cyberdyne Systems", "Wonka Foods",
    "Pied Piper", "Massive Dynamic", "Oceanic Airlines", "Aperture Science",
]
# fmt: on
UNICODE_FIRST = ["José", "Zoë", "Łukasz", "Søren", "Renée", "Jürgen", "Ana María", "Øyvind"]
UNICODE_LAST = ["Müller", "Núñez", "Dvořák", "Żółć", "García-Pérez", "Björk", "Çelik"]
PERSONAL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com"]


def ascii_fold(text: str, fallback: str) -> str:
    """Lowercase ASCII letters and digits of `text` (accents dropped), `fallback` when none."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum()) or fallback


def pick(table: tuple[list[float], list[str]], x: float) -> str:
    """`table` is (upper bounds of a uniform draw in [0, 1), values): one more value than bounds,
    for the rest."""
    return table[1][bisect_right(table[0], x)]


def draw(items: Sequence[T], r: Draw) -> T:
    return items[int(r() * len(items))]


def day_list(first: date, last: date) -> list[str]:
    """Every ISO date from `first` to `last`, both included."""
    return [(first + timedelta(days=d)).isoformat() for d in range((last - first).days + 1)]


def day_index(days: Sequence[str], i: int, x: float, count: int) -> int:
    """The day of row `i` of `count` (x: a uniform draw): days grow with the row number."""
    return min(int(len(days) * (i + x) / count), len(days) - 1)


class Names:
    """Name tables with their ASCII forms (for email local parts) and the draws from them."""

    def __init__(
        self,
        fallback: str,
        first: Sequence[str] = FIRST,
        last: Sequence[str] = LAST,
        unicode_first: Sequence[str] = UNICODE_FIRST,
        unicode_last: Sequence[str] = UNICODE_LAST,
        companies: Sequence[str] = COMPANIES,
    ) -> None:
        self.first = [(n, ascii_fold(n, fallback)) for n in first]
        self.last = [(n, ascii_fold(n, fallback)) for n in last]
        self.ufirst = [(n, ascii_fold(n, fallback)) for n in unicode_first]
        self.ulast = [(n, ascii_fold(n, fallback)) for n in unicode_last]
        self.companies = [(c, ascii_fold(c, fallback) + ".org") for c in companies]

    def person(self, r: Draw) -> tuple[str, str, str, str]:
        """(first, its ASCII form, last, its ASCII form); unicode names 0.5%."""
        if r() < 0.005:
            first, first_a = draw(self.ufirst, r)
            last, last_a = draw(self.ulast, r)
        else:
            first, first_a = draw(self.first, r)
            last, last_a = draw(self.last, r)
        return first, first_a, last, last_a

    def company(self, r: Draw) -> tuple[str, str]:
        """(name, its domain)."""
        return draw(self.companies, r)


@dataclass(frozen=True)
class EmailRates:
    """Cumulative upper bounds of one uniform draw, a kind of mess each; at `recased` and above
    the address is clean (and remembered, so a later duplicate points at a real one)."""

    empty: float  # ''
    null: float  # NULL
    no_at: float  # local.domain
    space: float  # a space inside
    bad_domain: float  # one of the first `bad_domains` broken domains
    double_at: float  # local@@domain
    padded: float  # surrounding spaces
    trailing_dot: float  # local@domain.
    shared: float  # an earlier clean address, exactly
    recased: float  # an earlier clean address in a different case
    bad_domains: int = 4


class EmailMess:
    """Draws an email column: `mess(local, domain, r)` is the clean address or one of the
    mess at `rates`."""

    RECENT = 64  # duplicates are drawn from the last this many clean addresses

    def __init__(self, rates: EmailRates) -> None:
        self.rates = rates
        self.recent: list[str] = []

    def __call__(self, local: str, domain: str, r: Draw) -> str | None:
        rates = self.rates
        x = r()
        clean = f"{local}@{domain}"
        if x >= rates.recased:
            self.recent.append(clean)
            if len(self.recent) > self.RECENT:
                del self.recent[0]
            return clean
        if x < rates.empty:
            return ""
        if x < rates.null:
            return None
        if x < rates.no_at:
            return f"{local}.{domain}"
        if x < rates.space:
            return f"{local[:3]} {local[3:]}@{domain}"
        if x < rates.bad_domain:
            bad = (domain.split(".")[0], domain.replace(".", ".."), "-" + domain, domain[:-2])
            return f"{local}@{bad[int(r() * rates.bad_domains)]}"
        if x < rates.double_at:
            return f"{local}@@{domain}"
        if x < rates.padded:
            return (f" {clean}", f"{clean} ", f"  {clean}  ")[int(r() * 3)]
        if x < rates.trailing_dot:
            return clean + "."
        if not self.recent:
            return clean
        shared = self.recent[int(r() * len(self.recent))]
        if x < rates.shared:
            return shared
        at = shared.index("@")
        return shared[:at].title() + "@" + shared[at + 1 :].upper()
