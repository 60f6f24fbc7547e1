"""Email validity, auto-correction and the fast path (informz_console.domain.emails).

Seed 000 (000_bcea68b5a640b123.txt): "Informz only syncs iMIS records that ... have valid email
addresses". DOMAIN.md, iCORRECT: "an address the sync auto-corrected (e.g. `admin@@x.org` ->
`admin@x.org`), original and corrected".
"""

from __future__ import annotations

import string

import email_validator
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from informz_console.domain import emails
from informz_console.domain.emails import (
    EmailChecker,
    EmailVerdict,
    autocorrect,
    check_email,
    fast_verdict,
)


def reference(address: str) -> str | None:
    """email-validator's normalized form, or None when it rejects the address."""
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


# --- the generated corpus: realistic addresses and near-misses --------------------------------
# Hypothesis avoids repeating a value, so the bulk comes from open-ended text strategies;
# the sampled lists add the edge cases email-validator has a rule for.

LETTERS = string.ascii_letters
ALNUM = string.ascii_letters + string.digits
ATEXT = "abcxyzABCXYZ0189!#$%&'*+/=?^_`{|}~-"
MESSY = ATEXT + '.. @"\\<>(),;:[]\t\n\xa0éüßİ中ф\u0301\u200b\u037e\u212a＠．'

# Realistic: what AMS data mostly holds.
atom = st.text(ALNUM, min_size=1, max_size=10)
separator = st.sampled_from([".", "_", "-", "+", "'", ""])
mailbox = st.sampled_from(["info", "INFO", "Sales", "postmaster", "www", "noc", "abuse"])
realistic_local = st.one_of(
    st.builds(str.join, separator, st.lists(atom, min_size=1, max_size=3)), mailbox
)
ldh_label = st.builds(str.join, st.just("-"), st.lists(atom, min_size=1, max_size=2))
realistic_domain = st.builds(
    lambda labels, tld: ".".join([*labels, tld]),
    st.lists(ldh_label, min_size=1, max_size=3),
    st.text(LETTERS, min_size=2, max_size=6),
)
realistic = st.builds("{}@{}".format, realistic_local, realistic_domain)

# Near-misses: a realistic address with one defect put in (or put in place of one character).
defect = st.one_of(
    st.sampled_from(["..", ".", "-", "--", "@", "@@", " ", '"', "\t", "\xa0", "[", "<", "_"]),
    st.sampled_from(["xn--", ".local", ".test", ".arpa", "é", "ß", "中", "\u0301", "\u200b"]),
    st.sampled_from(["＠", "．", "\u212a", "İ", "1", ".1", "x" * 64]),
    st.text(MESSY, min_size=1, max_size=3),
)
mutated = st.builds(
    lambda address, at, put, drop: (
        address[: at % (len(address) + 1)] + put + address[at % (len(address) + 1) + drop :]
    ),
    realistic,
    st.integers(0, 80),
    defect,
    st.integers(0, 1),
)

# Assembled from odd parts: quotes, unicode, label edges, numeric and special-use TLDs, IPs.
edge_local = st.sampled_from(['"quoted"', '"a b"', '"a@b"', "a..b", ".a", "a.", "x" * 65])
local_part = st.one_of(
    realistic_local,
    st.lists(st.text(ATEXT, max_size=6), min_size=1, max_size=4).map(".".join),
    st.text(MESSY, max_size=12),
    edge_local,
)
edge_label = st.sampled_from(
    ["-a", "a-", "ab--c", "a--b", "abc--d", "xn--bcher-kva", "xn--zz", "Mail", "EXAMPLE", "", "1"]
    + ["x" * 63, "x" * 64, "bücher", "ＡＢ", "a_b", "a b"]
)
label = st.one_of(ldh_label, st.text(MESSY.replace("@", ""), max_size=6), edge_label)
tld = st.one_of(
    st.text(LETTERS, min_size=2, max_size=6),
    st.sampled_from(["c0m", "123", "x", "a1", "1a", "q" * 63, "q" * 64, "co.uk", "Info"]),
    st.sampled_from(email_validator.SPECIAL_USE_DOMAIN_NAMES + ["example", "LOCAL", "Test"]),
    st.sampled_from(["in-addr.arpa", "xn--p1ai", "рф", "a-b", "com-", "-com"]),
    st.text("abcXYZ019-", min_size=1, max_size=5),
)
hostname = st.builds(lambda ls, t: ".".join([*ls, t]), st.lists(label, max_size=4), tld)
ip_literal = st.sampled_from(["[192.0.2.1]", "[300.1.1.1]", "[IPv6:::1]", "[ipv6:2001:db8::1]"])
at_sign = st.sampled_from(["@", "@@", "@@@", " @", "@ ", "＠", "", "@a@"])
wrapping = st.sampled_from(["", " ", "\t", "\n", "\xa0", ".", ". ", " .", "\u200b"])
assembled = st.builds(
    "{}{}{}{}{}".format,
    wrapping,
    local_part,
    at_sign,
    st.one_of(hostname, hostname, ip_literal),
    wrapping,
)

# Near the 254-character limit: long local parts with stacks of long labels.
long_address = st.builds(
    lambda n, k, t: "x" * n + "@" + ("y" * 63 + ".") * k + t,
    st.integers(1, 66),
    st.integers(1, 4),
    st.sampled_from(["com", "museum"]),
)
# The typos AMS data holds most (seed 000's own example is "admin@@x.org"): ASCII whitespace
# around, a run of "@", trailing dots, alone or together, on realistic and odd addresses.
ascii_space = st.text(" \t\n\r\x0b\x0c\x1c\x1f", max_size=2)
typo = st.builds(
    lambda before, address, ats, dots, after: before + address.replace("@", ats, 1) + dots + after,
    ascii_space,
    st.one_of(realistic, assembled, long_address),
    st.sampled_from(["@", "@", "@@", "@@@"]),
    st.sampled_from(["", "", ".", "..", ". ."]),
    ascii_space,
)
corpus = st.one_of(
    realistic, mutated, mutated, assembled, long_address, typo, st.text(MESSY, max_size=30)
)

PROPERTY = settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(corpus)
def test_fast_path_and_checker_agree_with_email_validator(raw: str) -> None:
    """One corpus, both claims (generation is the cost, so each example serves both)."""
    verdict = fast_verdict(raw)
    event("email-validator" if verdict is None else
          "fast path, corrected" if verdict.corrected_from else "fast path")
    if verdict is not None:
        if verdict.corrected_from is None:  # as is: what email-validator accepts unchanged
            assert verdict.email == reference(raw)
        else:  # an obvious typo: email-validator rejects the raw value and accepts the fix
            assert verdict.corrected_from == raw and reference(raw) is None
            assert verdict.email == reference(autocorrect(raw) or "")
        assert verdict == check_email(raw)
    checker, expected = EmailChecker(), check_email(raw)
    assert checker.check(raw) == expected
    assert checker.check(raw) == expected  # and its memoized answer


def test_fast_path_covers_the_common_addresses() -> None:
    """The fast path is not vacuous: ordinary AMS addresses never reach email-validator."""
    common = [
        "john.smith@example.org",
        "Mary.O'Brien@Mail.Example.COM",
        "j_doe+news@sub.domain.co.uk",
        "INFO@Association.org",  # RFC 2142 mailbox: email-validator lower-cases it
        "a-b.c@my-company.museum",
        "x" * 64 + "@example.com",
    ]
    for raw in common:
        verdict = fast_verdict(raw)
        assert verdict is not None, raw
        assert verdict == check_email(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "a@xn--bcher-kva.com",  # Punycode: stored as a@bücher.com
        "josé@example.org",  # internationalized local part
        "a@example.c0m",  # TLD with a digit (email-validator only wants a final letter)
        "a@abc--d.org",  # "--" outside the 3rd-4th place is fine, but not our fast case
    ],
)
def test_fast_path_leaves_unusual_valid_addresses_to_email_validator(raw: str) -> None:
    assert fast_verdict(raw) is None
    assert check_email(raw).valid


@pytest.mark.parametrize("special", email_validator.SPECIAL_USE_DOMAIN_NAMES)
def test_fast_path_declines_special_use_domains(special: str) -> None:
    assert fast_verdict(f"a@host.{special}") is None
    assert not check_email(f"a@host.{special}").valid


# --- the rules --------------------------------------------------------------------------------


def test_valid_address_is_stored_normalized() -> None:
    """Seed 000: records with valid email addresses are synced."""
    assert check_email("John.Smith@Example.ORG") == EmailVerdict(
        True, "John.Smith@example.org", "john.smith@example.org", None, None
    )


@pytest.mark.parametrize(
    ("raw", "reason_part"),
    [
        ("john.smith", "must have an @-sign"),
        ("a@b@example.org", "invalid characters"),
        ("john@example", "should have a period"),
        ("john@host.local", "special-use"),
        ("john..smith@example.org", "two periods"),
        ("john smith@example.org", "SPACE"),
        ("john@[192.0.2.1]", "bracketed IP address"),
        ('"john"@example.org', "Quoting"),
        ("x" * 250 + "@example.org", "too long"),
    ],
)
def test_invalid_address_has_a_reason(raw: str, reason_part: str) -> None:
    """Seed 000: records without valid email addresses are not synced; the advisor sees why."""
    verdict = check_email(raw)
    assert not verdict.valid
    assert verdict.email is verdict.key is verdict.corrected_from is None
    assert reason_part in (verdict.reason or "")


@pytest.mark.parametrize("raw", [None, "", "  \t\n\xa0"])
def test_missing_address(raw: str | None) -> None:
    """Seed 000: a record without an email address is not synced."""
    assert check_email(raw) == EmailVerdict(False, None, None, None, "No email address.")
    assert EmailChecker().check(raw) == check_email(raw)


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        (" john@example.org\t", "john@example.org"),  # surrounding whitespace
        ("\xa0john@example.org\n", "john@example.org"),  # nbsp and newline
        ("admin@@x.org", "admin@x.org"),  # DOMAIN.md iCORRECT's own example
        ("admin@@@x.org", "admin@x.org"),
        ("john@example.org.", "john@example.org"),  # trailing dot
        (" admin@@x.org. \n", "admin@x.org"),  # all three at once
    ],
)
def test_autocorrection(raw: str, fixed: str) -> None:
    """DOMAIN.md iCORRECT: the correction is recorded with original and corrected."""
    assert autocorrect(raw) == fixed
    assert check_email(raw) == EmailVerdict(True, fixed, fixed.lower(), raw, None)


@pytest.mark.parametrize(
    "raw", ["admin@@x.org", " john@example.org\t", "john@example.org.", " admin@@x.org. \n"]
)
def test_obvious_typos_are_fixed_without_email_validator(
    raw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fast path fixes ASCII typos itself (email-validator tried each address twice);
    the property test above proves its verdicts equal email-validator's."""
    expected = check_email(raw)

    def no_validator(*args: object, **kwargs: object) -> None:
        raise AssertionError("email-validator was called")

    monkeypatch.setattr(emails, "validate_email", no_validator)
    assert fast_verdict(raw) == expected and expected.corrected_from == raw
    checker = EmailChecker()
    assert checker.check_many([raw]) == [expected] and checker.learned() == {}


def test_typos_beyond_ascii_are_left_to_email_validator() -> None:
    """An nbsp is whitespace to the fix, but only email-validator says what it makes of it."""
    assert fast_verdict("\xa0john@example.org\n") is None
    assert check_email("\xa0john@example.org\n").corrected_from == "\xa0john@example.org\n"


def test_autocorrect_has_nothing_to_fix() -> None:
    assert autocorrect("john@example.org") is None
    assert autocorrect("john@exmaple.con") is None  # no guessing of domains
    assert check_email("john@example.org").corrected_from is None


def test_unfixable_address_stays_invalid_with_reason() -> None:
    """The obvious fixes are tried, but "admin@x" still has no period after the @-sign."""
    verdict = check_email(" admin@@x ")
    assert autocorrect(" admin@@x ") == "admin@x"
    assert not verdict.valid
    assert verdict.corrected_from is None
    assert verdict.reason == "The part after the @-sign is not valid. It should have a period."


def test_key_is_case_insensitive() -> None:
    """One subscriber per address whatever its case; the stored form keeps the local part."""
    upper, lower = check_email("John.Smith@EXAMPLE.org"), check_email("john.smith@example.ORG")
    assert upper.key == lower.key == "john.smith@example.org"
    assert upper.email == "John.Smith@example.org"
    assert EmailChecker().check("John.Smith@EXAMPLE.org") == upper


# --- the checker ------------------------------------------------------------------------------


def test_learned_holds_only_email_validator_verdicts() -> None:
    checker = EmailChecker()
    slow = ["a@xn--bcher-kva.com", "\xa0admin@@x.org", "not an address"]
    for raw in ["john@example.org", "INFO@example.org", None, "", " ", *slow]:
        checker.check(raw)
    assert checker.learned() == {raw: check_email(raw) for raw in slow}


def test_known_verdicts_are_used_without_email_validator(monkeypatch: pytest.MonkeyPatch) -> None:
    """Verdicts cached in the mirror answer the addresses that need email-validator, even
    where it would now say otherwise; the fast path (proven equal to it) answers first."""
    cached = {
        "admin@x": EmailVerdict(False, None, None, None, "Cached: rejected last run."),
        "a@xn--bcher-kva.com": EmailVerdict(
            True, "cached@example.org", "cached@example.org", None, None
        ),
    }

    def no_validator(*args: object, **kwargs: object) -> None:
        raise AssertionError("email-validator was called")

    monkeypatch.setattr(emails, "validate_email", no_validator)
    checker = EmailChecker(known=cached)
    for raw, verdict in cached.items():
        assert checker.check(raw) is verdict
    assert checker.check("john@example.org").email == "john@example.org"
    assert checker.learned() == {}


def test_check_many_asks_the_lookup_once_for_what_the_fast_path_cannot_answer() -> None:
    asked: list[list[str]] = []
    cached = EmailVerdict(False, None, None, None, "Cached.")

    def lookup(raws: list[str]) -> dict[str, EmailVerdict]:
        asked.append(raws)
        return {"admin@x": cached}

    checker = EmailChecker(lookup=lookup)
    batch = ["john@example.org", "admin@x", None, "not an address"]
    verdicts = checker.check_many(batch)
    assert asked == [["admin@x", "not an address"]]
    assert verdicts[1] is cached and verdicts[3] == check_email("not an address")
    assert verdicts[0] == check_email("john@example.org") and verdicts[2] == check_email(None)
    checker.check_many(batch)
    assert len(asked) == 1  # the memo answers the second time
    assert checker.learned() == {"not an address": check_email("not an address")}


def test_each_distinct_address_is_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(address: str, **kwargs: object) -> object:
        calls.append(address)
        return validate_email(address, **kwargs)

    monkeypatch.setattr(emails, "validate_email", counting)
    checker = EmailChecker()
    first = checker.check("a@xn--bcher-kva.com")
    assert checker.check("a@xn--bcher-kva.com") is first
    # The fast path is recomputed rather than held (cheaper than a million held verdicts),
    # but never reaches email-validator.
    assert checker.check("john@example.org") == checker.check("john@example.org")
    assert calls == ["a@xn--bcher-kva.com"]
