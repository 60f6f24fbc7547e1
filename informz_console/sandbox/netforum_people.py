"""The netFORUM sandbox's customers: individuals and organizations with the mess of a real AMS.

One `Customers` draws every customer from one `random.Random(seed)` in record-number order, so the
same seed gives the same rows. Approximate rates (the tests check them loosely):

- CustomerType: Organization 6% (no first or last name; the company is the organization);
- Email missing 5% ('' mostly, NULL sometimes); invalid 2.4% (no '@', a space inside, a bad
  domain); fixable 1.5% ('x@@y.org', surrounding spaces, trailing dot); shared with another
  customer 1.5% (half of those in a different case); the rest clean and unique;
- DoNotEmail (netFORUM's "Do Not Email") 6%;
- MemberStatus: Active 70%, Grace Period 4%, Pending 2%, Expired 8%, Terminated 6%,
  Non-member 10% (no member type and no join date);
- Chapter East 25%, West 25%, North 15%, South 15%, none 20%; Board 15 customers;
  Conference2025 12%; Gala2024 8%; unicode names 0.5%;
- CustomerKey is a lowercase GUID (netFORUM's av_key); RecordNumber (cst_recno) starts at
  100001 with gaps; JoinDate grows with the record number up to 2025-06-30.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from informz_console.sandbox import people
from informz_console.sandbox.people import (
    EmailMess,
    EmailRates,
    Names,
    day_index,
    day_list,
    draw,
    pick,
)

COMPANIES = [*people.COMPANIES, "Smith & Sons"]
PERSONAL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "me.com"]
# for people.pick: (upper bounds of a uniform draw in [0, 1), values)
STATUSES = (
    [0.70, 0.74, 0.76, 0.84, 0.90],
    ["Active", "Grace Period", "Pending", "Expired", "Terminated", "Non-member"],
)
MEMBER_TYPES = ([0.60, 0.75, 0.85, 0.97], ["Regular", "Student", "Retired", "Associate", "Life"])
CHAPTERS = ([0.25, 0.50, 0.65, 0.80], ["East", "West", "North", "South", ""])

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2025, 6, 30)  # the population's "today": customer data never depends on the clock
BOARD_SIZE = 15
BATCH = 20_000
FIRST_RECNO = 100_000
# Email: missing 5%, invalid 2.4%, fixable 1.5%, shared 1.5%
EMAIL = EmailRates(0.04, 0.05, 0.06, 0.067, 0.074, 0.079, 0.086, 0.089, 0.0965, 0.104)

# the Customer row, in table order (see netforum_data.SCHEMA)
COLUMNS = (
    "RecordNumber", "CustomerKey", "CustomerType", "FirstName", "LastName", "Company", "Email",
    "DoNotEmail", "MemberStatus", "MemberType", "Chapter", "JoinDate", "Board", "Conference2025",
    "Gala2024",
)  # fmt: skip


@dataclass
class GenerateStats:
    customers: int = 0
    organizations: int = 0
    do_not_email: int = 0
    queries: int = 0
    last_record_number: int = 0


class Customers:
    """One pass over the customers, in RecordNumber order."""

    def __init__(self, count: int, seed: int) -> None:
        self.rng = random.Random(f"netforum:{seed}")
        self.count = count
        self.board = set(self.rng.sample(range(count), min(BOARD_SIZE, count)))
        self.days = day_list(FIRST_DAY, LAST_DAY)
        self.stats = GenerateStats()
        self.names = Names("member", companies=COMPANIES)
        self.email = EmailMess(EMAIL)  # email(local, domain, r): cst_eml_address_dn

    def customer(self, i: int, recno: int) -> tuple:
        r = self.rng.random
        h = f"{self.rng.getrandbits(128):032x}"
        key = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{h[16:20]}-{h[20:]}"
        status = pick(STATUSES, r())
        company, domain = self.names.company(r)
        if r() < 0.06:
            kind, first, last = "Organization", None, None
            local = f"info{recno}"
            member_type = None if status == "Non-member" else "Organizational"
            self.stats.organizations += 1
        else:
            kind = "Individual"
            first, first_a, last, last_a = self.names.person(r)
            local = f"{first_a}.{last_a}{recno}"
            if r() < 0.35:
                company = None
                domain = draw(PERSONAL_DOMAINS, r)
            member_type = None if status == "Non-member" else pick(MEMBER_TYPES, r())
        email = self.email(local, domain, r)
        do_not_email = 1 if r() < 0.06 else 0
        self.stats.do_not_email += do_not_email
        chapter = pick(CHAPTERS, r())
        day = day_index(self.days, i, r(), self.count)
        joined = None if status == "Non-member" else self.days[day]
        board = 1 if i in self.board else 0
        conference = 1 if r() < 0.12 else 0
        gala = 1 if r() < 0.08 else 0
        return (recno, key, kind, first, last, company, email, do_not_email, status,
                member_type, chapter, joined, board, conference, gala)  # fmt: skip


def batches(customers: Customers) -> Iterator[list[tuple]]:
    recno = FIRST_RECNO
    rng = customers.rng.random
    for start in range(0, customers.count, BATCH):
        batch = []
        for i in range(start, min(start + BATCH, customers.count)):
            recno += 1 if rng() < 0.8 else 2
            batch.append(customers.customer(i, recno))
        customers.stats.customers += len(batch)
        customers.stats.last_record_number = recno
        yield batch
