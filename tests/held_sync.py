"""Two syncs at once, made to meet: an AMS that stops after its first page until the test lets
it go on, and a sync run on a thread of its own. Shared by the concurrency tests of both
mirror backends."""

from __future__ import annotations

import threading
from collections.abc import Iterator

from static_connector import StaticAms, StaticConnector

from informz_console.sync.requests import SyncKind, SyncRequest, SyncResult
from informz_console.sync.service import SyncService

WAIT_S = 60  # a bound on waiting for the other thread, never reached when all is well
RESYNC = SyncRequest("iMIS", SyncKind.RESYNC_GROUP, group="G")


class HeldAms(StaticConnector):
    """Hands over its first page, then waits until the test lets it go on."""

    def __init__(self, ams: StaticAms, reached: threading.Event, release: threading.Event):
        super().__init__(ams)
        self.reached, self.release = reached, release

    def _pages(self, items, cancel) -> Iterator[list]:  # type: ignore[no-untyped-def]
        pages = super()._pages(items, cancel)
        yield next(pages)
        self.reached.set()
        assert self.release.wait(WAIT_S)
        yield from pages


class Background:
    """A sync run on a thread of its own: `service.run(request, **kwargs)`."""

    def __init__(self, service: SyncService, request: SyncRequest = RESYNC,
                 **kwargs) -> None:  # type: ignore[no-untyped-def]
        self.result: SyncResult | None = None
        self._thread = threading.Thread(target=self._run, args=(service, request, kwargs),
                                        daemon=True)
        self._thread.start()

    def _run(self, service: SyncService, request: SyncRequest, kwargs: dict) -> None:
        self.result = service.run(request, **kwargs)

    def join(self) -> SyncResult:
        self._thread.join(WAIT_S)
        assert self.result is not None
        return self.result
