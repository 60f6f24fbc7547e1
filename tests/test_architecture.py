"""The layers of DESIGN.md, checked by tools: nothing imports upward, no Qt below ui/, and the
code is ruff clean."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_import_contracts_hold():
    result = subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_is_clean():
    result = subprocess.run([str(BIN / "ruff"), "check", "informz_console", "tests"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_write_to_a_subscriber_counts_a_revision():
    """A resync passes over a record only while its subscriber is as the last sync left it,
    which it knows by `subscriber.revision` (sync/last_synced): a write that forgot to count
    one would leave a subscriber changed elsewhere unrepaired."""
    writes = re.compile(r"UPDATE subscriber SET|update\(Subscriber\)")
    found = []
    for path in (ROOT / "informz_console").rglob("*.py"):
        source = path.read_text()
        for match in writes.finditer(source):
            statement = source[match.start():match.start() + 900]
            found.append(path.name)
            assert "revision" in statement, f"{path}: a subscriber UPDATE without revision + 1"
    assert sorted(found) == ["apply.py", "subscriber_actions.py", "upload_merge.py"]
