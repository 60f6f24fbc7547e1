"""EmailChecker against email-validator on 200,000 distinct, realistic AMS addresses.

Run from the repository root:  .venv/bin/python -m tests.bench.bench_emails

The addresses come from a fixed seed; about 3% carry the mess AMS data has (whitespace,
doubled @, trailing dots, typos email-validator rejects, internationalized addresses).
Prints wall times (best of REPEAT runs) and their ratio to email-validator in the same run.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable

from email_validator import EmailNotValidError, validate_email

from informz_console.domain.emails import EmailChecker

SEED = 20240607
COUNT = 200_000
MESSY_SHARE = 0.023  # ~3% of the distinct addresses: clean ones collide more often
REPEAT = 3  # best of: the least disturbed run is the one that measures the code

_FIRST_TEXT = (
    "james mary john patricia robert jennifer michael linda william elizabeth david barbara "
    "richard susan joseph jessica thomas sarah charles karen christopher nancy daniel lisa "
    "matthew betty anthony margaret mark sandra donald ashley steven kimberly paul emily "
    "andrew donna joshua michelle kenneth dorothy kevin carol brian amanda george melissa "
    "aisha chen mohammed priya olga sean siobhan lars ingrid yuki"
)
FIRST = _FIRST_TEXT.split()
_LAST_TEXT = (
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez "
    "lopez gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson "
    "white harris sanchez clark ramirez lewis robinson walker young allen king wright scott "
    "torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter "
    "roberts o'brien mcdonald van-der-berg schmidt kowalski patel okafor"
)
LAST = _LAST_TEXT.split()
PROVIDERS = (
    ["gmail.com"] * 8
    + ["yahoo.com"] * 3
    + ["outlook.com", "hotmail.com", "aol.com", "icloud.com", "comcast.net", "verizon.net"]
)
_ORG_WORDS_TEXT = (
    "medical dental nursing bar law engineers builders realtors pharmacy veterinary "
    "teachers hospital university college county state national american society institute "
    "council foundation chapter alliance guild union federation academy"
)
ORG_WORDS = _ORG_WORDS_TEXT.split()
ORG_SUFFIXES = (".org", ".org", ".org", ".com", ".net", ".edu", ".co.uk", ".ca", ".us")


def local_part(rng: random.Random) -> str:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    pattern = rng.randrange(8)
    if pattern == 0:
        return f"{first[0]}{last}"
    if pattern == 1:
        return f"{first}_{last}{rng.randrange(100)}"
    if pattern == 2:
        return f"{first}{rng.randrange(1950, 2010)}"
    if pattern == 3:
        return f"{first}.{rng.choice('abcdefghjklmnprstw')}.{last}"
    if pattern == 4:
        return rng.choice(["info", "office", "membership", "Sales", "admin", "billing"])
    name = f"{first}.{last}"
    return name.title() if rng.random() < 0.15 else name


def domain(rng: random.Random) -> str:
    if rng.random() < 0.55:
        return rng.choice(PROVIDERS)
    words = rng.sample(ORG_WORDS, 2)
    host = rng.choice([f"{words[0]}{words[1]}", f"{words[0]}-{words[1]}", f"mail.{words[0]}"])
    name = host + f"{rng.randrange(1000)}" * (rng.random() < 0.3) + rng.choice(ORG_SUFFIXES)
    return name.upper() if rng.random() < 0.02 else name


# The mess: fixable by auto-correction, or left to email-validator (valid or not).
MESS: tuple[Callable[[str, random.Random], str], ...] = (
    lambda a, r: a + " ",
    lambda a, r: "\t" + a,
    lambda a, r: a.replace("@", "@@"),
    lambda a, r: a + ".",
    lambda a, r: a.replace("@", " @"),
    lambda a, r: a.replace(".", "..", 1),
    lambda a, r: a.replace("@", ""),
    lambda a, r: a.rsplit(".", 1)[0],
    lambda a, r: a.replace(".", ",", 1),
    lambda a, r: "josé." + a,
    lambda a, r: a.split("@")[0] + "@xn--bcher-kva.de",
    lambda a, r: a.split("@")[0] + "@intranet.local",
)


def addresses(seed: int = SEED, count: int = COUNT) -> tuple[list[str], int]:
    """`count` distinct addresses in a fixed shuffled order, and how many of them are messy."""
    rng, clean, messy = random.Random(seed), set[str](), set[str]()
    while len(clean) + len(messy) < count:
        address = f"{local_part(rng)}@{domain(rng)}"
        if rng.random() < MESSY_SHARE:
            messy.add(rng.choice(MESS)(address, rng))
        else:
            clean.add(address)
    result = sorted(clean | messy)
    rng.shuffle(result)
    return result, len(messy - clean)


def best_time(run: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def with_email_validator(data: Iterable[str]) -> None:
    rejected = 0
    for address in data:
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError:
            rejected += 1


def with_checker(data: Iterable[str]) -> EmailChecker:
    checker = EmailChecker()  # a fresh one: every address is new to it
    for address in data:
        checker.check(address)
    return checker


def report(label: str, seconds: float, count: int, baseline: float | None = None) -> None:
    ratio = f"  {seconds / baseline:.3f}x of email-validator" if baseline else ""
    print(f"{label:<24}{seconds:8.2f} s  {seconds / count * 1e6:7.2f} µs/address{ratio}")


def main() -> None:
    data, messy = addresses()
    print(f"{len(data):,} distinct addresses, seed {SEED}, {messy / len(data):.1%} messy")
    print(f"best of {REPEAT} runs each")

    baseline = best_time(lambda: with_email_validator(data))
    report("email-validator", baseline, len(data))
    first = best_time(lambda: with_checker(data))
    report("EmailChecker, 1st pass", first, len(data), baseline)
    checker = with_checker(data)
    repeat = best_time(lambda: [checker.check(address) for address in data])
    report("EmailChecker, repeat", repeat, len(data), baseline)

    slow = len(checker.learned())
    print(f"fast path answered {1 - slow / len(data):.1%}; email-validator {slow:,} addresses")
    print(f"fast path: {first / baseline:.3f}x of email-validator")


if __name__ == "__main__":
    main()
