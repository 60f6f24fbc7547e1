"""Where an iMIS person's email comes from (seed 000: "Name.Email or
Name_Address.Email+Purpose and Preferred status")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AddressEmail:
    purpose: str | None
    email: str | None
    preferred: bool


@dataclass(frozen=True, slots=True)
class EmailSource:
    """`purpose` None means Name.EMAIL; otherwise the preferred Name_Address row of that PURPOSE."""

    purpose: str | None = None

    @classmethod
    def parse(cls, text: str | None) -> EmailSource:
        """'name' or '' -> Name.EMAIL; 'address:Work' -> Name_Address PURPOSE 'Work'."""
        if not text or text.strip().lower() == "name":
            return cls(None)
        kind, _, purpose = text.partition(":")
        if kind.strip().lower() != "address" or not purpose.strip():
            raise ValueError(
                f"Email source {text!r} is not understood: use 'name' or 'address:PURPOSE'."
            )
        return cls(purpose.strip())

    def __str__(self) -> str:
        return "name" if self.purpose is None else f"address:{self.purpose}"

    def pick(self, name_email: str | None, addresses: Iterable[AddressEmail]) -> str | None:
        """The email the sync uses for one person; None when the source has none."""
        if self.purpose is None:
            return name_email
        wanted = self.purpose.casefold()
        for address in addresses:
            if address.preferred and (address.purpose or "").casefold() == wanted:
                return address.email
        return None
