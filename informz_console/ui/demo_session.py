"""`informz-console --demo`: the sandbox AMS endpoints run as long as the window is open.

Starting them, wiring the demo bridges and syncing every group is one job (progress, cancel);
the endpoints stop when the window closes.
"""

from __future__ import annotations

from contextlib import ExitStack

from informz_console.demo import DemoOutcome, demo_endpoints, sync_everything, wire_bridges
from informz_console.sync.cancel import CancelToken, ProgressCallback
from informz_console.ui.jobs import Job
from informz_console.ui.services import Services


class DemoSession:
    def __init__(self, services: Services, members: int = 5000) -> None:
        self.services = services
        self.members = members
        self._stack = ExitStack()
        self.outcome: DemoOutcome | None = None

    def _work(self, cancel: CancelToken, progress: ProgressCallback) -> DemoOutcome:
        endpoints = self._stack.enter_context(demo_endpoints(members=self.members))
        services = self.services
        bridges = wire_bridges(services.engine, services.credentials, services.clock, endpoints)
        return sync_everything(services.sync, bridges, progress, cancel)

    def start(self, on_ready=None) -> Job:  # type: ignore[no-untyped-def]
        def done(outcome: DemoOutcome) -> None:
            self.outcome = outcome
            self.services.events.changed.emit()
            failed = [f"{label}: {r.error}" for label, r in outcome.results if not r.ok]
            if failed:
                self.services.events.message.emit("warning", failed[0])
            else:
                self.services.events.message.emit(
                    "info", f"Demo ready: {len(outcome.bridges)} sandbox AMS on this machine, "
                    f"{len(outcome.results)} runs. Select a target group to see its counts.")
            if on_ready is not None:
                on_ready(outcome)

        def failed(sentence: str) -> None:
            self.services.events.message.emit("error", f"The demo could not start: {sentence}")
            if on_ready is not None:
                on_ready(None)

        return self.services.jobs.submit(
            f"Demo: {self.members:,} generated members per AMS", self._work,
            on_done=done, on_error=failed, on_cancelled=lambda: failed("cancelled"))

    def stop(self) -> None:
        self._stack.close()
