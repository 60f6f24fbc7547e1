"""Helpers for the Qt tests (fixtures are in conftest.py)."""

from __future__ import annotations

from informz_console.ui.services import Services


def wait_jobs(qtbot, services: Services, timeout: int = 60_000) -> None:
    """Wait until every job of the window has ended (its callbacks have run)."""
    qtbot.waitUntil(lambda: not services.jobs.running, timeout=timeout)
