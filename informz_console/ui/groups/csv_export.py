"""Export the rows behind a count to CSV, in a job: read in blocks, written to a temporary file
that replaces the target only when complete (a cancelled or failed export leaves no half file).
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from sqlalchemy.orm import Session

from informz_console.store.queries.group_rows import RowSet
from informz_console.sync.cancel import CancelToken, Progress, ProgressCallback
from informz_console.ui.jobs import Job
from informz_console.ui.services import Services

BLOCK = 2000


def write_csv(session: Callable[[], AbstractContextManager[Session]], rows: RowSet,
              keys: Sequence[int], path: Path, cancel: CancelToken,
              progress: ProgressCallback) -> int:
    """Write the header and every row of `keys`, in their order; returns the rows written."""
    partial = path.with_name(f".{path.name}.partial")
    written = 0
    try:
        with partial.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(rows.columns)
            for start in range(0, len(keys), BLOCK):
                cancel.raise_if_cancelled()
                block = keys[start:start + BLOCK]
                with session() as s:
                    found = rows.rows(s, block)
                writer.writerows(found[k] for k in block if k in found)
                written += sum(1 for k in block if k in found)
                progress(Progress("export", written, len(keys)))
        partial.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return written


def export_csv(services: Services, rows: RowSet, keys: Sequence[int], path: Path,
               tell: Callable[[str, str], None]) -> Job:
    """Run `write_csv` as a job; its outcome is one sentence in the message bar."""
    return services.jobs.submit(
        f"Exporting {len(keys):,} rows to {path.name}",
        lambda cancel, progress: write_csv(services.session, rows, keys, path, cancel, progress),
        on_done=lambda n: tell("info", f"Exported {n:,} rows to {path}."),
        on_error=lambda sentence: tell("error", f"The export to {path} failed: {sentence}"),
        on_cancelled=lambda: tell("info", f"The export to {path.name} was cancelled; "
                                          "no file was written."),
    )
