"""The IQA queries the sandbox publishes: DocumentMain rows plus the WHERE clause the sandbox REST
server evaluates over Name for each (`Sandbox_IQA`, ours only)."""

from __future__ import annotations

from dataclasses import dataclass

from informz_console.sandbox.imis_schema import DRAFT, PUBLISHED

NEW_MEMBERS_SINCE = "2025-05-01"  # a month before imis_people.LAST_DAY


@dataclass(frozen=True)
class IqaDefinition:
    folder: str
    name: str
    where_sql: str | None  # None: not runnable in the sandbox (a draft)
    created_days_ago: int
    updated_days_ago: int
    status: int = PUBLISHED

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}"


BOARD_SQL = (
    "ID IN (SELECT ID FROM Activity WHERE ACTIVITY_TYPE = 'COMMITTEE' AND PRODUCT_CODE = 'BOARD')"
)
IQA_QUERIES = (
    IqaDefinition("$/Informz", "All Active Members", "STATUS = 'A'", 2100, 40),
    IqaDefinition("$/Informz", "Board", BOARD_SQL, 1500, 200),
    IqaDefinition("$/Informz/Chapters", "Chapter East", "CHAPTER = 'EAST'", 900, 120),
    IqaDefinition("$/Informz", "New Members", f"DATE_ADDED >= '{NEW_MEMBERS_SINCE}'", 2, 2),
    IqaDefinition("$/Informz", "Lapsed", "STATUS LIKE 'I%'", 700, 60),
    IqaDefinition("$/Informz", "Everyone", "1 = 1", 2500, 400),
    IqaDefinition("$/Informz/Drafts", "Test query", None, 1, 1, status=DRAFT),
)
