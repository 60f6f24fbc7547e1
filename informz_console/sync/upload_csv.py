"""Reading a subscriber upload file: encoding, header, one `UploadRow` per CSV record.

The file is streamed (the csv module over a text stream, never read whole), so a file of any
size reads in constant memory. Encoding: UTF-8, with or without a byte-order mark; UTF-16 with
its byte-order mark (Excel's "Unicode Text"); a file that is neither is read as Windows-1252
(what Excel writes on Windows), and the result says so. The five bytes Windows-1252 leaves
undefined read as U+FFFD rather than failing the upload.

Header names are matched case-insensitively, with `_` read as a space: `Email`, `E-mail`,
`Email Address` and `EMAIL_ADDRESS` all name the email column. Every column that is not the
email, a name or the company becomes a personalization field, named as the header spells it.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

NO_EMAIL_COLUMN = "The file has no email column; name one column 'email'."
UTF8, CP1252 = "utf-8-sig", "cp1252"  # utf-8-sig reads UTF-8 with or without a BOM
UTF16 = "utf-16"  # reads the byte order from the BOM and drops it
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
CP1252_NOTE = "The file is not UTF-8; it was read as Windows-1252 (cp1252)."

_ROLES: dict[str, frozenset[str]] = {
    "email": frozenset({"email", "email address", "e-mail", "e-mail address", "emailaddress"}),
    "first_name": frozenset({"first name", "firstname"}),
    "last_name": frozenset({"last name", "lastname"}),
    "company": frozenset({"company", "organization", "organisation"}),
}
_SCAN_CHUNK = 1 << 20


class UploadError(Exception):
    """The file cannot be uploaded; the message is one sentence saying what to fix."""


@dataclass(frozen=True, slots=True)
class UploadRow:
    line: int  # the physical line the record starts on (the header is line 1)
    email: str  # the email cell as written, surrounding whitespace removed
    first_name: str | None
    last_name: str | None
    company: str | None
    fields: dict[str, str]  # personalization fields with a non-empty value


@dataclass(frozen=True)
class Columns:
    """Which cell of a record holds what."""

    email: int
    first_name: int | None = None
    last_name: int | None = None
    company: int | None = None
    fields: tuple[tuple[int, str], ...] = ()  # (cell index, field name)


@dataclass
class _Header:
    roles: dict[str, int] = field(default_factory=dict)
    fields: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def detect_encoding(path: Path) -> str:
    """UTF-16 when the file starts with its byte-order mark; UTF-8 if every byte decodes as
    UTF-8, else Windows-1252. One streaming pass: deciding up front keeps the upload from
    half-reading a file in the wrong encoding."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as raw:
        if raw.read(2) in _UTF16_BOMS:
            return UTF16
        raw.seek(0)
        try:
            while chunk := raw.read(_SCAN_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return CP1252
    return UTF8


def header_key(name: str) -> str:
    """`First_Name ` -> `first name`: how a header is compared with the known names."""
    return " ".join(name.replace("_", " ").split()).lower()


def read_columns(header: list[str]) -> tuple[Columns, list[str]]:
    """The columns of a header row, and notes about columns read in a way the user may not
    expect. Raises UploadError when no column holds the email."""
    found = _Header()
    for index, name in enumerate(header):
        _place(found, index, name.strip())
    if "email" not in found.roles:
        raise UploadError(NO_EMAIL_COLUMN)
    columns = Columns(fields=tuple(found.fields), **found.roles)
    return columns, found.notes


def _place(found: _Header, index: int, name: str) -> None:
    if not name:
        return  # a column without a header has no name to be a field under
    role = next((r for r, names in _ROLES.items() if header_key(name) in names), None)
    if role is None:
        found.fields.append((index, name))
    elif role in found.roles:
        found.fields.append((index, name))
        found.notes.append(
            f"Column {name!r} is a second {role.replace('_', ' ')} column; "
            "it was kept as a personalization field."
        )
    else:
        found.roles[role] = index


def _cell(record: list[str], index: int | None) -> str | None:
    if index is None or index >= len(record):
        return None
    return record[index].strip() or None


def to_row(line: int, record: list[str], columns: Columns) -> UploadRow:
    fields = {
        name: value for index, name in columns.fields if (value := _cell(record, index)) is not None
    }
    return UploadRow(
        line,
        _cell(record, columns.email) or "",
        _cell(record, columns.first_name),
        _cell(record, columns.last_name),
        _cell(record, columns.company),
        fields,
    )


class SubscriberCsv:
    """An open upload file: `columns`, `notes`, then `rows()` once, streaming.

    Blank records (an empty line, or only separators, as spreadsheets leave at the end) are
    skipped without a report: they are layout, not subscribers.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.notes: list[str] = []
        self._file = self._open()
        self.size = os.fstat(self._file.fileno()).st_size
        self._reader = csv.reader(self._file)
        try:
            self.columns = self._read_header()
        except BaseException:
            self.close()
            raise

    def _open(self) -> io.TextIOWrapper:
        try:
            encoding = detect_encoding(self.path)
            # newline="" lets csv see the line ends itself: quoted newlines stay in their field.
            handle = open(  # noqa: SIM115 - stays open for rows(); closed by close()
                self.path, encoding=encoding, errors="replace", newline=""
            )
        except OSError as err:
            reason = err.strerror or type(err).__name__
            raise UploadError(
                f"The file {self.path.name!r} could not be opened ({reason}); "
                "check the path and try again."
            ) from err
        if encoding == CP1252:
            self.notes.append(CP1252_NOTE)
        return handle

    def _read_header(self) -> Columns:
        for _line, record in self._records():
            if any(cell.strip() for cell in record):
                columns, notes = read_columns(record)
                self.notes.extend(notes)
                return columns
        raise UploadError("The file is empty; it needs a header row with an 'email' column.")

    def _records(self) -> Iterator[tuple[int, list[str]]]:
        while True:
            line = self._reader.line_num + 1  # a record may span lines: report where it starts
            try:
                record = next(self._reader)
            except StopIteration:
                return
            except csv.Error as err:
                raise UploadError(
                    f"Line {line} is not valid CSV ({err}); fix it and upload the file again."
                ) from err
            yield line, record

    def rows(self) -> Iterator[UploadRow]:
        for line, record in self._records():
            if any(cell.strip() for cell in record):
                yield to_row(line, record, self.columns)

    def position(self) -> int:
        """Bytes read so far, for progress (ahead of the csv reader by at most one buffer)."""
        return self._file.buffer.tell()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> SubscriberCsv:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
