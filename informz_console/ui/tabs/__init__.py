"""The console's tabs, in the order the window shows them."""

from informz_console.ui.tabs.bridges_tab import BridgesTab
from informz_console.ui.tabs.groups_tab import TargetGroupsTab
from informz_console.ui.tabs.idss_tab import IdssTab
from informz_console.ui.tabs.logs_tab import SyncLogsTab
from informz_console.ui.tabs.lookup_tab import LookupTab

TABS = (TargetGroupsTab, BridgesTab, SyncLogsTab, IdssTab, LookupTab)

__all__ = ["TABS"]
