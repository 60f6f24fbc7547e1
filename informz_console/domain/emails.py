"""Is an AMS email address valid, what do we store, and which obvious typos do we fix.

Validity is exactly email-validator's (no deliverability check): seed 000 says only records
with valid email addresses are synced. An invalid raw value gets one chance at the obvious
fixes (whitespace, doubled `@`, trailing dot); a fix that makes it valid is an iCORRECT
(DOMAIN.md: `admin@@x.org` -> `admin@x.org`, original and corrected are written back).

email-validator costs ~25 µs an address and a sync may see a million distinct ones, so
`EmailChecker` answers the plain ASCII case (and its obvious typos) with precompiled regexes,
asks email-validator for everything else, and remembers every answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import NamedTuple

import email_validator
from email_validator import EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES


class EmailVerdict(NamedTuple):
    """A NamedTuple, not a frozen dataclass: a sync builds one per address, and a frozen
    dataclass's __init__ costs several times a tuple's."""

    valid: bool
    email: str | None  # email-validator's normalized form; None if invalid
    key: str | None  # email.lower(): the case-insensitive uniqueness key; None if invalid
    corrected_from: str | None  # the raw value when an auto-correction made it valid
    reason: str | None  # one sentence why invalid; None when valid


MISSING_REASON = "No email address."
_MISSING = EmailVerdict(False, None, None, None, MISSING_REASON)


def _valid(email: str, corrected_from: str | None = None) -> EmailVerdict:
    key = email.lower()
    # A checker holds up to a million verdicts: share one string where the two are equal.
    return EmailVerdict(True, email, email if key == email else key, corrected_from, None)


def _invalid(reason: str) -> EmailVerdict:
    return EmailVerdict(False, None, None, None, reason)


# --- the rules -------------------------------------------------------------------------------


def _is_blank(raw: str) -> bool:
    return not raw.strip()  # str.strip knows Unicode whitespace: tabs, newlines, nbsp


def _normalize(address: str) -> str:
    """email-validator's normalized form; raises EmailNotValidError."""
    return validate_email(address, check_deliverability=False).normalized


def check_email(raw: str | None) -> EmailVerdict:
    """The verdict on one raw AMS value, straight from email-validator (pure, uncached)."""
    if raw is None or _is_blank(raw):
        return _MISSING
    try:
        return _valid(_normalize(raw))
    except EmailNotValidError as error:
        reason = str(error)
    corrected = autocorrect(raw)
    if corrected is None:
        return _invalid(reason)
    try:
        return _valid(_normalize(corrected), corrected_from=raw)
    except EmailNotValidError as error:
        # What is still wrong after the obvious fixes is the useful sentence, not the
        # surface typo (e.g. "a@x..org." is wrong for its "..", not its trailing dot).
        return _invalid(str(error))


_REPEATED_AT = re.compile(r"@{2,}")
# Whitespace (str.isspace: tabs, newlines, nbsp, ...) and dots, mixed, at the very end.
_TRAILING_MESS = re.compile(r"[\s.]+\Z")


def autocorrect(raw: str) -> str | None:
    """The value with the obvious typos fixed, or None when none applies.

    Only these, alone or together: surrounding whitespace, a run of `@` collapsed to one,
    trailing dots dropped. Nothing smarter (no guessing of domains): a correction is
    written back to the AMS as an iCORRECT, so it must be beyond doubt.
    """
    fixed = _TRAILING_MESS.sub("", _REPEATED_AT.sub("@", raw.strip()))
    return fixed if fixed and fixed != raw else None


# --- the fast path ---------------------------------------------------------------------------

# A conservative subset of what email-validator accepts unchanged except for case:
# - local part: ASCII dot-atom (RFC 5322 atext);
# - domain: two or more LDH labels with no "--" at all (that excludes R-LDH labels, which it
#   rejects, and Punycode "xn--", which it decodes to Unicode), then an all-letter TLD (it
#   wants a final letter). Lengths are checked after the match, where it is cheapest.
# The quantifiers are possessive: each piece ends where a ".", "-" or "@" starts the next,
# so backtracking could find no other match, and forbidding it makes the match cheap.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9]++(?:-[A-Za-z0-9]++)*+"
_FAST_ADDRESS = re.compile(rf"({_ATEXT}++(?:\.{_ATEXT}++)*+)@((?:{_LABEL}\.)++[A-Za-z]++)")
_MAX_LENGTH = 254  # whole address (EMAIL_MAX_LENGTH); for ASCII, characters = octets
_MAX_LOCAL = 64  # not enforced by email-validator unless strict; we just don't vouch beyond it
_MAX_LABEL = 63  # DNS_LABEL_LENGTH_LIMIT

# email-validator rejects these domains and their subdomains; read from the library (at
# import) so an upgrade that extends the list cannot make the fast path accept what it rejects.
_SPECIAL_DOMAINS = frozenset(email_validator.SPECIAL_USE_DOMAIN_NAMES)
_SPECIAL_SUFFIXES = tuple("." + d for d in email_validator.SPECIAL_USE_DOMAIN_NAMES)

# RFC 2142 mailboxes (info@, sales@, ...) are the one local part email-validator lower-cases.
_CASE_INSENSITIVE_MAILBOXES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)


def fast_verdict(raw: str) -> EmailVerdict | None:
    """A valid verdict identical to check_email's, or None when only email-validator can say:
    for an address as it is, or for an ASCII one with an obvious typo fixed.

    Why the typos: at 1,000,000 iMIS members, 14,813 distinct addresses were fixable, and
    check_email tried each twice (rejected as is, then accepted fixed): 65 us an address,
    more than half of all email-validator's time in that sync. Raw ASCII that `autocorrect`
    changes has whitespace at an end, a doubled `@` or a trailing dot; with no quotes in the
    fixed address (the fast path takes none), each of those is outside the syntax
    email-validator accepts, so it rejects the raw value as check_email's first step would.
    """
    verdict = _as_is(raw)
    if verdict is None and raw.isascii():
        fixed = autocorrect(raw)
        verdict = _as_is(fixed) if fixed is not None else None
        if verdict is not None:
            return verdict._replace(corrected_from=raw)
    return verdict


def _as_is(raw: str) -> EmailVerdict | None:
    if len(raw) > _MAX_LENGTH:
        return None
    match = _FAST_ADDRESS.fullmatch(raw)
    if match is None or match.end(1) > _MAX_LOCAL:
        return None
    local, domain = match.groups()
    # Only a domain longer than a label can hold a too-long label: nearly every one skips this.
    if len(domain) > _MAX_LABEL and max(map(len, domain.split("."))) > _MAX_LABEL:
        return None
    domain = domain.lower()  # email-validator's UTS-46 mapping does just this to ASCII LDH
    if domain.endswith(_SPECIAL_SUFFIXES) or domain in _SPECIAL_DOMAINS:
        return None
    if local.lower() in _CASE_INSENSITIVE_MAILBOXES:
        local = local.lower()
    email = f"{local}@{domain}"
    return _valid(raw if email == raw else email)  # share the string, as in _valid


# --- the checker a sync uses -----------------------------------------------------------------


VerdictLookup = Callable[[list[str]], Mapping[str, EmailVerdict]]


class EmailChecker:
    """Validate each distinct address once; fast path for the common case.

    The order of answers: the fast path (proven identical to email-validator), this checker's
    memo, `known` (a mapping of verdicts), `lookup` (asked once per batch in `check_many`,
    e.g. the mirror's cache of verdicts from earlier runs), and only then email-validator.
    `learned()` returns the verdicts that cost an email-validator call, for the caller to
    persist. Only slow verdicts are remembered: a fast-path verdict is cheaper to recompute
    than to hold, and a million held verdicts would cost a few hundred MB.
    """

    def __init__(
        self,
        known: Mapping[str, EmailVerdict] | None = None,
        lookup: VerdictLookup | None = None,
    ) -> None:
        self._seen: dict[str, EmailVerdict] = dict(known) if known else {}
        self._lookup = lookup
        self._learned: dict[str, EmailVerdict] = {}

    def check(self, raw: str | None) -> EmailVerdict:
        if raw is None:
            return _MISSING
        verdict = fast_verdict(raw) or self._seen.get(raw)
        if verdict is None:
            verdict = self._seen[raw] = check_email(raw)
            if not _is_blank(raw):  # a blank never reaches email-validator: nothing to persist
                self._learned[raw] = verdict
        return verdict

    def check_many(self, raws: list[str | None]) -> list[EmailVerdict]:
        """`check` for a batch, asking `lookup` once for every address the fast path and the
        memo cannot answer. One pass of the fast path per address: it is most of the cost."""
        verdicts: list[EmailVerdict | None] = [
            _MISSING if raw is None else fast_verdict(raw) or self._seen.get(raw)
            for raw in raws
        ]
        if self._lookup is not None:
            unknown = [raw for raw, v in zip(raws, verdicts, strict=True) if v is None]
            if unknown:
                self._seen.update(self._lookup(unknown))
        return [self.check(raw) if v is None else v for raw, v in zip(raws, verdicts, strict=True)]

    def learned(self) -> dict[str, EmailVerdict]:
        return dict(self._learned)
