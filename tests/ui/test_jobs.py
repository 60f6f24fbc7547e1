"""The job API's guarantees (ui/jobs.py docstring): work off the GUI thread, exactly one
outcome on the GUI thread, user errors as their own sentence, stale results dropped."""

from __future__ import annotations

import threading

from gui_helpers import wait_jobs
from PySide6.QtCore import QThread

from informz_console.connectors.errors import UnreachableError
from informz_console.sync.cancel import Progress
from informz_console.sync.requests import SyncResult
from informz_console.sync.runs import RunCounts
from informz_console.ui.jobs import JobRunner


def outcomes():
    seen: dict[str, list] = {"done": [], "error": [], "cancelled": [], "threads": []}

    def on(name):
        def record(*args):
            seen[name].append(args[0] if args else None)
            seen["threads"].append(QThread.currentThread())
        return record
    return seen, dict(on_done=on("done"), on_error=on("error"), on_cancelled=on("cancelled"))


def test_work_runs_off_the_gui_thread_and_the_result_comes_back_on_it(qtbot, services):
    gui = threading.get_ident()
    seen, callbacks = outcomes()
    services.jobs.submit("Add", lambda cancel, progress: threading.get_ident(), **callbacks)
    wait_jobs(qtbot, services)
    assert len(seen["done"]) == 1 and seen["done"][0] != gui
    assert seen["threads"] == [QThread.currentThread()]  # the callback ran on the GUI thread
    assert seen["error"] == seen["cancelled"] == []


def test_a_user_error_arrives_as_its_own_sentence(qtbot, services):
    def work(cancel, progress):
        raise UnreachableError("The iMIS site https://ams.example.org did not answer.")

    seen, callbacks = outcomes()
    services.jobs.submit("Resync", work, **callbacks)
    wait_jobs(qtbot, services)
    assert seen["error"] == ["The iMIS site https://ams.example.org did not answer."]


def test_a_bug_is_one_sentence_naming_the_job_without_a_traceback(qtbot, services, caplog):
    def work(cancel, progress):
        return {}["missing"] + 1

    seen, callbacks = outcomes()
    services.jobs.submit("Resync Everyone", work, **callbacks)
    wait_jobs(qtbot, services)
    (sentence,) = seen["error"]
    assert sentence.startswith("Resync Everyone failed unexpectedly (KeyError)")
    assert "Traceback" not in sentence
    assert "Traceback" in caplog.text  # the detail is in the log


def test_failed_and_cancelled_sync_results_are_routed(qtbot, services):
    seen, callbacks = outcomes()
    services.jobs.submit("A", lambda c, p: SyncResult(1, "failed", RunCounts(), error="No."),
                         **callbacks)
    services.jobs.submit("B", lambda c, p: SyncResult(2, "cancelled", RunCounts()), **callbacks)
    wait_jobs(qtbot, services)
    assert seen["error"] == ["No."]
    assert seen["cancelled"] == [None]
    assert seen["done"] == []


def test_cancel_reaches_the_work(qtbot, services):
    started = threading.Event()

    def work(cancel, progress):
        started.set()
        while not cancel.wait(0.01):
            pass
        cancel.raise_if_cancelled()

    seen, callbacks = outcomes()
    job = services.jobs.submit("Long", work, **callbacks)
    assert started.wait(10)
    assert job.running
    job.cancel()
    wait_jobs(qtbot, services)
    assert seen["cancelled"] == [None] and seen["done"] == []


def test_a_newer_job_with_the_same_key_drops_the_older_result(qtbot, services):
    release = threading.Event()

    def slow(cancel, progress):
        release.wait(10)
        return "old"

    seen, callbacks = outcomes()
    services.jobs.submit("Counts", slow, key="counts", **callbacks)
    services.jobs.submit("Counts", lambda c, p: "new", key="counts", **callbacks)
    qtbot.waitUntil(lambda: seen["done"] == ["new"], timeout=10_000)
    release.set()
    wait_jobs(qtbot, services)
    assert seen["done"] == ["new"]  # "old" arrived after, and was dropped


def test_progress_reaches_the_gui_throttled(qtbot, services):
    reports = []

    def work(cancel, progress):
        for done in range(50_000):
            progress(Progress("fetch", done, 50_000))
        return "ok"

    job = services.jobs.submit("Fetch", work)
    job.progressed.connect(lambda phase, done, total: reports.append((phase, done, total)))
    wait_jobs(qtbot, services)
    assert 1 <= len(reports) < 1_000  # not one signal per record
    assert all(phase == "fetch" and total == 50_000 for phase, _, total in reports)


def test_shutdown_cancels_and_joins_every_thread(qtbot, services):
    started = threading.Event()

    def work(cancel, progress):
        started.set()
        cancel.wait(30)
        cancel.raise_if_cancelled()

    seen, callbacks = outcomes()
    for n in range(3):
        services.jobs.submit(f"Job {n}", work, **callbacks)
    assert started.wait(10)
    services.jobs.shutdown()
    assert services.jobs.running == []
    qtbot.wait(50)
    assert seen["done"] == seen["error"] == []  # nothing rendered after the window went away


def test_while_jobs_run_the_interpreter_favours_the_window(qtbot, services):
    """A full collection stops every thread (the GUI's too): while any job runs only the young
    generations collect and threads hand the GIL over sooner; the last job to end gives both
    back (the GUI bench measures why)."""
    import gc
    import sys

    from informz_console.ui.interpreter_policy import JOBS_SWITCH_INTERVAL_S, NO_FULL_COLLECTION

    before, interval = gc.get_threshold(), sys.getswitchinterval()
    assert before[2] < NO_FULL_COLLECTION and interval > JOBS_SWITCH_INTERVAL_S
    started, release = threading.Event(), threading.Event()
    seen = []

    def work(cancel, progress):
        started.set()
        release.wait(10)
        return "ok"

    services.jobs.submit("A", work)
    services.jobs.submit("B", lambda c, p: "quick")
    assert started.wait(10)
    qtbot.waitUntil(lambda: len(services.jobs.running) == 1)  # B ended, A still runs
    seen.append((gc.isenabled(), gc.get_threshold(), sys.getswitchinterval()))
    release.set()
    wait_jobs(qtbot, services)
    assert seen == [(True, (before[0], before[1], NO_FULL_COLLECTION), JOBS_SWITCH_INTERVAL_S)]
    assert gc.get_threshold() == before and sys.getswitchinterval() == interval


def test_two_runners_hold_the_interpreter_settings_until_the_last_job_ends(qtbot, services):
    """Switching mirrors, the new window's jobs start before the old window's end: the settings
    come back only when neither has a job left."""
    import gc
    import sys

    from informz_console.ui.interpreter_policy import NO_FULL_COLLECTION

    before, interval = gc.get_threshold(), sys.getswitchinterval()
    other = JobRunner()
    release_old, release_new = threading.Event(), threading.Event()
    old = services.jobs.submit("Old window", lambda c, p: release_old.wait(10))
    new = other.submit("New window", lambda c, p: release_new.wait(10))
    release_old.set()
    qtbot.waitUntil(lambda: old.done)
    assert gc.get_threshold()[2] == NO_FULL_COLLECTION  # the new window's job still runs
    release_new.set()
    qtbot.waitUntil(lambda: new.done)
    assert gc.get_threshold() == before and sys.getswitchinterval() == interval
    other.shutdown()


def test_an_ended_job_is_deleted_but_its_handle_stays_readable(qtbot, services):
    from PySide6.QtCore import QCoreApplication, QEvent

    job = services.jobs.submit("Quick", lambda c, p: 1)
    wait_jobs(qtbot, services)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert services.jobs.findChildren(type(job)) == []  # nothing piles up on the runner
    assert job.done and not job.running
    job.cancel()  # harmless on a finished handle
