"""The lazy table: only keys in memory, rows read a block at a time, failures shown as rows."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy.exc import OperationalError

from informz_console.ui.lazy_model import KEY_ROLE, PLACEHOLDER, ROW_ROLE, LazyTableModel


class Reader:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[int] = []
        self.fail = fail

    def __call__(self, keys):
        self.calls.append(len(keys))
        if self.fail:
            raise OperationalError("select", {}, Exception("database is locked"))
        return {k: (k, f"member{k}@example.org") for k in keys}


def test_model_passes_qtmodeltester(qtmodeltester):
    model = LazyTableModel(["Id", "Email"], Reader())
    model.set_keys(list(range(1000)))
    qtmodeltester.check(model)


def test_a_million_keys_read_only_the_blocks_shown(qapp):
    reader = Reader()
    model = LazyTableModel(["Id", "Email"], reader)
    model.set_keys(range(1_000_000))
    assert model.rowCount() == 1_000_000
    assert model.data(model.index(999_999, 1)) == "member999999@example.org"
    assert model.data(model.index(500_000, 0)) == 500_000
    assert model.data(model.index(500_001, 0), KEY_ROLE) == 500_001
    assert model.data(model.index(500_002, 0), ROW_ROLE) == (500_002, "member500002@example.org")
    last_block = 1_000_000 % LazyTableModel.BLOCK
    assert reader.calls == [last_block, LazyTableModel.BLOCK]  # two blocks, nothing else


def test_the_block_cache_is_bounded(qapp):
    reader = Reader()
    model = LazyTableModel(["Id", "Email"], reader)
    model.set_keys(range(100_000))
    for row in range(0, 100_000, LazyTableModel.BLOCK):
        model.data(model.index(row, 0))
    assert len(model._blocks) == LazyTableModel.CACHED_BLOCKS


def test_a_failed_read_is_a_disabled_placeholder_row_not_an_exception(qapp):
    model = LazyTableModel(["Id", "Email"], Reader(fail=True))
    model.set_keys([1, 2, 3])
    index = model.index(1, 1)
    assert model.data(index) == PLACEHOLDER
    assert model.flags(index) == Qt.ItemFlag.NoItemFlags
