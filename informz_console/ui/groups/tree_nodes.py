"""The target group tree as plain Python: bridge > folder > ... > group.

Built in a background job from `all_counts` (there can be thousands of groups), then handed to
the Qt model, which only reads it. Folders nest on "/"; an iMIS path keeps its "$/" root on
its first folder ("$/Informz"), the way iMIS users write it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from informz_console.store.queries.counts import GroupCounts
from informz_console.store.queries.drift import CountDrift

BRIDGE, FOLDER, GROUP = "bridge", "folder", "group"


@dataclass(frozen=True)
class BridgeRef:
    name: str
    kind: str  # imis | personify | netforum | idss


@dataclass(eq=False)
class GroupNode:
    uid: int
    kind: str  # bridge | folder | group
    name: str
    bridge: BridgeRef
    path: str = ""  # a folder's full path
    counts: GroupCounts | None = None
    drift: CountDrift | None = None
    parent: GroupNode | None = None
    children: list[GroupNode] = field(default_factory=list)
    row: int = 0
    groups: int = 0  # target groups at or below this node

    @property
    def group_id(self) -> int | None:
        return self.counts.group_id if self.counts is not None else None

    def add(self, child: GroupNode) -> GroupNode:
        child.parent, child.row = self, len(self.children)
        self.children.append(child)
        return child


@dataclass
class GroupTree:
    root: GroupNode
    nodes: dict[int, GroupNode]  # uid -> node
    by_group: dict[int, GroupNode]  # group id -> node


def folder_parts(folder: str) -> list[str]:
    parts = [p for p in folder.split("/") if p]
    if len(parts) > 1 and parts[0] == "$":
        parts[:2] = [f"$/{parts[1]}"]
    return parts


def build_tree(bridges: list[BridgeRef], counts: list[GroupCounts],
               drift: list[CountDrift]) -> GroupTree:
    """Every bridge (even one without groups yet), its folders, then its groups by name."""
    uids = itertools.count(1)
    root = GroupNode(next(uids), "root", "", BridgeRef("", ""))
    tree = GroupTree(root, {}, {})
    by_bridge = {b.name: root.add(GroupNode(next(uids), BRIDGE, b.name, b))
                 for b in sorted(bridges, key=lambda b: b.name.lower())}
    folders: dict[tuple[str, str], GroupNode] = {}
    moved = {d.group_id: d for d in drift}
    for group in sorted(counts, key=lambda c: (c.bridge, c.folder.lower(), c.name.lower())):
        top = by_bridge.get(group.bridge)
        if top is None:  # a bridge added since the bridge list was read
            top = by_bridge[group.bridge] = root.add(
                GroupNode(next(uids), BRIDGE, group.bridge, BridgeRef(group.bridge, "")))
        parent = _folder(top, group.folder, folders, uids)
        node = parent.add(GroupNode(next(uids), GROUP, group.name, top.bridge, group.folder,
                                    group, moved.get(group.group_id)))
        tree.by_group[group.group_id] = node
        for above in _ancestors(node):
            above.groups += 1
    _index(root, tree.nodes)
    return tree


def _folder(top: GroupNode, folder: str, folders: dict[tuple[str, str], GroupNode],
            uids: itertools.count) -> GroupNode:
    parent, path = top, ""
    for part in folder_parts(folder):
        path = f"{path}/{part}" if path else part
        key = (top.name, path)
        if key not in folders:
            folders[key] = parent.add(GroupNode(next(uids), FOLDER, part, top.bridge, path))
        parent = folders[key]
    return parent


def _ancestors(node: GroupNode) -> list[GroupNode]:
    found, above = [], node.parent
    while above is not None and above.kind != "root":
        found.append(above)
        above = above.parent
    return found


def _index(node: GroupNode, nodes: dict[int, GroupNode]) -> None:
    nodes[node.uid] = node
    for child in node.children:
        _index(child, nodes)
