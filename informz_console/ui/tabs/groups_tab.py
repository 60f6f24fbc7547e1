"""The Target groups tab: sync health above the tree of groups by bridge and folder, the count
details of the selected group beside them, and the toolbar that resyncs, previews and refreshes.

Everything it reads comes from the mirror through `store/queries` in jobs; everything it runs
goes through the sync service in jobs (`groups/sync_actions.py`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from informz_console.store.queries.bridge_names import bridge_kinds
from informz_console.store.queries.counts import all_counts
from informz_console.store.queries.drift import count_drift
from informz_console.store.queries.group_rows import RowSet
from informz_console.sync.requests import SyncResult
from informz_console.ui.groups.count_details import CountDetails
from informz_console.ui.groups.group_tree import GroupTreeView
from informz_console.ui.groups.health_panel import SyncHealthPanel
from informz_console.ui.groups.preview_dialog import PreviewDialog
from informz_console.ui.groups.rows_dialog import RowsDialog
from informz_console.ui.groups.sync_actions import GroupSyncActions, Target
from informz_console.ui.groups.tree_nodes import GROUP, BridgeRef, GroupNode, GroupTree, build_tree
from informz_console.ui.jobs import Job
from informz_console.ui.services import Services
from informz_console.ui.tabs.base import ConsoleTab


def read_tree(services: Services) -> GroupTree:
    """Every bridge and group with its counts and drift (a job: there can be many groups)."""
    percent = services.settings.drift_warning_percent
    with services.session() as session:
        bridges = [BridgeRef(name, kind) for name, kind in bridge_kinds(session)]
        return build_tree(bridges, all_counts(session), count_drift(session, None, percent))


class TargetGroupsTab(ConsoleTab):
    title = "Target groups"

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(services, parent)
        self.actions = GroupSyncActions(services, self.tell, self)
        self.tree = GroupTreeView()
        self.details = CountDetails()
        self.health = SyncHealthPanel(services)
        self.find = QLineEdit()
        self.find.setPlaceholderText("Find a target group by name (Ctrl+F)")
        self.find.setClearButtonEnabled(True)
        self.find.setMaximumWidth(320)
        self.dialogs: list[QDialog] = []
        self.tree_job: Job | None = None
        self._group_id: int | None = None
        self._bridge: str | None = None
        self._layout()
        self._connect()

    def _layout(self) -> None:
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.actions.resync, self.actions.preview, None,
                       self.actions.refresh_list, self.actions.full_refresh):
            if action is None:
                self.toolbar.addSeparator()
            else:
                self.toolbar.addAction(action)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.toolbar.addWidget(spacer)
        self.toolbar.addWidget(self.find)
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(self.health)
        left.addWidget(self.tree)
        left.setStretchFactor(1, 1)
        left.setSizes([190, 510])
        details = QScrollArea()
        details.setWidgetResizable(True)
        details.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        details.setWidget(self.details)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([760, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.splitter, 1)

    def _connect(self) -> None:
        self.tree.selected.connect(self._selected)
        self.find.textChanged.connect(self.tree.filter)
        self.details.open_rows.connect(self.open_rows)
        self.health.open_rows.connect(self.open_rows)
        self.health.group_chosen.connect(self.tree.select_group)
        self.actions.preview_ready.connect(self.show_preview)

    # -- ConsoleTab ------------------------------------------------------------------------

    def reload(self) -> None:
        services = self.services
        self.tree_job = services.jobs.submit(
            "Reading target groups", lambda cancel, progress: read_tree(services),
            on_done=self._show_tree, on_error=lambda s: self.tell("error", s),
            key=f"groups-tree-{id(self)}")
        self.health.reload()
        self.actions.update_state()  # the role may have changed

    def resync(self) -> None:
        self.actions.run_resync()

    def focus_find(self) -> None:
        self.find.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find.selectAll()

    def prepare_screenshot(self) -> None:
        """The demo iMIS bridge's biggest group: count details, chart and health all show."""
        imis = [n for n in self.tree.source.tree.root.children if n.bridge.kind == "imis"]
        groups = [g for g in self.tree.source.tree.by_group.values()
                  if imis and g.bridge == imis[0].bridge and g.counts is not None]
        if groups:
            biggest = max(groups, key=lambda g: g.counts.members if g.counts else 0)
            self.tree.select_group(biggest.counts.group_id)  # type: ignore[union-attr]

    # -- the tree and the selection --------------------------------------------------------

    def _show_tree(self, tree: GroupTree) -> None:
        self.health.set_bridges([n.name for n in tree.root.children])
        self.tree.set_tree(tree, self._group_id, self._bridge)

    def _selected(self, node: GroupNode | None) -> None:
        if node is None:
            self.actions.set_target(None)
            self.details.show_counts(None)
            return
        counts = node.counts if node.kind == GROUP else None
        self._group_id = counts.group_id if counts else None
        self._bridge = node.bridge.name
        self.actions.set_target(Target(
            node.bridge.name, node.bridge.kind, self._group_id,
            counts.remote_key if counts else None, counts.name if counts else None))
        self.details.show_counts(counts, node.drift)
        self.health.show_bridge(node.bridge.name)

    # -- dialogs ---------------------------------------------------------------------------

    def open_rows(self, rows: RowSet) -> RowsDialog:
        dialog = RowsDialog(self.services, rows, self)
        self._keep(dialog)
        dialog.show()
        dialog.load()
        return dialog

    def show_preview(self, target: Target, result: SyncResult) -> PreviewDialog:
        dialog = PreviewDialog(target.group_id or 0, target.group or "", target.bridge, result,
                               self)
        dialog.apply_requested.connect(lambda _id: self.actions.run_resync(target))
        self._keep(dialog)
        dialog.show()
        return dialog

    def _keep(self, dialog: QDialog) -> None:
        self.dialogs.append(dialog)
        dialog.destroyed.connect(lambda _=None, d=dialog: self._forget(d))

    def _forget(self, dialog: QDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
