"""Which AMS status codes a bridge accepts (seed 000: "statuses that Informz is set to accept").

iMIS status codes are admin-defined: active ones are `A` or start with `A`; `S`, `I`, `D`
prefixes mean suspended, inactive, marked for deletion. The accepted set is a bridge setting
(default `A`). An entry ending in `*` accepts every code with that prefix (`A*`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_ACCEPTED = ("A",)


@dataclass(frozen=True, slots=True)
class AcceptedStatuses:
    exact: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def parse(cls, codes: Iterable[str]) -> AcceptedStatuses:
        cleaned = [c.strip().upper() for c in codes if c and c.strip()]
        if not cleaned:
            raise ValueError("Accepted statuses are empty: name at least one status code, e.g. A.")
        return cls(
            exact=frozenset(c for c in cleaned if not c.endswith("*")),
            prefixes=tuple(c[:-1] for c in cleaned if c.endswith("*")),
        )

    def accepts(self, status: str | None) -> bool:
        if status is None:
            return False
        code = status.strip().upper()
        return code in self.exact or any(code.startswith(p) for p in self.prefixes)

    def codes(self) -> list[str]:
        return sorted(self.exact) + [p + "*" for p in self.prefixes]
