"""A large group's fetch, in a process of its own.

Why: reading a group (HTTP, JSON or XML parsing, ODBC rows into RemoteRecords) and judging and
staging it are both Python that holds the GIL. In one process they take turns on one core, and
the ODBC driver, which lets go of the GIL for every row and column it fetches, hands it to the
page-fetching threads thousands of times a page. Measured at 1,000,000 iMIS members: the fetch
alone took 18-25 s in this process, 11.5 s with the pages read by a second process.

What it guarantees:
- The child builds the same connector from the same recipe and streams the same pages, which
  arrive here in order. The pipe's buffer bounds what is in flight: a child that is ahead waits.
- A ConnectorError in the child is raised here as the same class with the same sentence. Any
  other failure there is a bug: a RuntimeError naming it, with the child's traceback.
- Cancel is seen within POLL_S. Cancel, an error here, or closing the stream ends the child;
  a child whose console died ends by itself.
- The secret reaches the child pickled down its standard input, never on a command line, in
  the environment or in a file. The child never opens the mirror.

The child is `python -m informz_console.sync.fetch_process`, not multiprocessing's spawn, which
would import the console's main script again in the child (any script that runs a sync without
an `if __name__ == "__main__"` guard would run it twice).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator
from typing import IO

from informz_console.connectors.base import CancelCheck
from informz_console.connectors.errors import ConnectorError
from informz_console.domain.records import RemoteRecord
from informz_console.sync.connector_factory import ConnectorRecipe

# Below this many records a process costs more to start (~0.3 s) than it saves.
FETCH_PROCESS_FROM = 20_000
POLL_S = 0.2
_STOP_S = 5.0


def fetch_in_process(
    recipe: ConnectorRecipe, remote_key: str, cancel: CancelCheck
) -> Iterator[list[RemoteRecord]]:
    """The pages of `connector.group_members(remote_key)`, read by a child process. A cancelled
    stream ends early, as a connector's does: the caller, who owns `cancel`, knows why."""
    child = subprocess.Popen(
        [sys.executable, "-m", "informz_console.sync.fetch_process"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=1 << 16,
    )
    done = threading.Event()
    new = tuple.__new__  # RemoteRecord._make without its length check: 0.2 us, not 1.5 us
    try:
        assert child.stdin is not None and child.stdout is not None
        with child.stdin:
            child.stdin.write(pickle.dumps((recipe, remote_key, os.getpid()), protocol=5))
        threading.Thread(target=_stop_on_cancel, args=(child, cancel, done),
                         name="informz-fetch-cancel", daemon=True).start()
        while True:
            kind, payload = _receive(child, child.stdout, cancel)
            if kind == "page":
                yield [new(RemoteRecord, row) for row in payload]
            elif kind == "error":
                raise payload
            elif kind == "bug":
                name, trace = payload
                raise RuntimeError(f"{name} in the fetch process:\n{trace}")
            else:  # "end", or cancelled
                return
    finally:
        done.set()
        _stop(child)


def _receive(child: subprocess.Popen, out: IO[bytes], cancel: CancelCheck) -> tuple:
    try:
        return pickle.load(out)
    except (EOFError, pickle.UnpicklingError):
        pass
    if cancel():
        return "cancelled", None
    raise ConnectorError(
        f"The process reading the group from the AMS stopped unexpectedly (exit code "
        f"{child.wait()}), so nothing was changed; try the sync again."
    )


def _stop_on_cancel(child: subprocess.Popen, cancel: CancelCheck, done: threading.Event) -> None:
    """A read of the child's output blocks; cancel ends the child, which ends the read."""
    while not done.wait(POLL_S):
        if cancel():
            child.terminate()
            return


def _stop(child: subprocess.Popen) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(_STOP_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    if child.stdout is not None:
        child.stdout.close()


# -- the child -------------------------------------------------------------------------------


def _serve(recipe: ConnectorRecipe, remote_key: str, out: IO[bytes]) -> None:
    def send(message: tuple) -> None:
        out.write(pickle.dumps(message, protocol=5))

    try:
        connector = recipe.build()
        try:
            for page in connector.group_members(remote_key).pages:
                # plain tuples: a third of the pickling cost of the NamedTuples
                send(("page", [tuple(record) for record in page]))
            send(("end", None))
        finally:
            connector.close()
    except ConnectorError as err:
        send(("error", _portable(err)))
    except Exception as err:  # noqa: BLE001 - a bug: its name and traceback go to the console
        send(("bug", (type(err).__name__, traceback.format_exc())))
    out.flush()


def _portable(err: ConnectorError) -> ConnectorError:
    """The error as it can cross the pipe: itself when it pickles back, else its sentence in
    the base class (an error whose __init__ takes other arguments does not unpickle)."""
    try:
        pickle.loads(pickle.dumps(err))
    except Exception:  # noqa: BLE001 - any pickling failure means: send the sentence only
        return ConnectorError(str(err))
    return err


def _end_with(parent: int) -> None:
    """A console killed outright cannot end its child: the child watches for it and ends."""

    def watch() -> None:
        while os.getppid() == parent:  # (Windows keeps the old id: there the pipe tells)
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="informz-fetch-parent", daemon=True).start()


def _child_main() -> None:
    # Ctrl+C reaches the whole process group; the console handles it (it cancels and ends us).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    recipe, remote_key, parent = pickle.load(sys.stdin.buffer)
    _end_with(parent)
    # The pages go down our own copy of standard output; anything a library prints goes to
    # standard error, where it cannot break them.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    with contextlib.suppress(BrokenPipeError), out:  # the console stopped reading: say nothing
        _serve(recipe, remote_key, out)


if __name__ == "__main__":
    _child_main()
