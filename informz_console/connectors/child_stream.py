"""Objects streamed from a child Python process, for reads too big for one interpreter.

`stream_from_child(module, payload, cancel)` runs `python -m module` when the first item is
asked for, hands it `payload` pickled on its standard input, and yields each object the
child's `serve(produce)` sends: `produce(payload)` runs there and its items arrive here in
order, pickled down the child's own copy of standard output (anything a library prints goes
to standard error instead). `start_child_stream(..., then=...)` starts the child at once;
`then()` is called when the first item is asked for and its result sent after the payload
(`serve(produce, takes_more=True)`: `produce(payload, more)` reads it with `more()`), so the
child starts and connects while this process prepares what it needs next.

Why a process: the work of a big read (HTTP, JSON or XML parsing, ODBC rows into records) and
the work of the sync on what was read are all Python that holds the GIL; in one process they
take turns on one core, and an ODBC driver that lets go of the GIL for every row and column
hands it to page-fetching threads thousands of times a page (sync/fetch_process, imis_streams).

What it guarantees:
- The pipe's buffer bounds what is in flight: a child that is ahead waits.
- A ConnectorError in the child is raised here as the same class with the same sentence. Any
  other failure there is a bug: a RuntimeError naming it, with the child's traceback.
- Cancel is checked before every item and seen within POLL_S while waiting for one. Cancel, an
  error here, or closing the stream ends the child; a child whose parent died ends by itself.
- The payload (which may hold a password) travels on standard input only: never on a command
  line, in the environment or in a file.

`python -m`, not multiprocessing's spawn: spawn imports the parent's main script again in the
child, and a script that runs a sync without an `if __name__ == "__main__"` guard would run it
twice.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import IO, Any

from informz_console.connectors.base import CancelCheck
from informz_console.connectors.errors import ConnectorError

POLL_S = 0.2
_STOP_S = 5.0


def stream_from_child(module: str, payload: object, cancel: CancelCheck,
                      what: str = "the AMS") -> Iterator[Any]:
    """The items of the child's `produce(payload)`, the child started when the first one is
    asked for. A cancelled stream ends early, as a connector's does: the caller, who owns
    `cancel`, knows why. `what` names the read in the sentence of a child that died."""
    items = start_child_stream(module, payload, cancel, what)
    try:
        yield from items
    finally:
        items.close()


def start_child_stream(module: str, payload: object, cancel: CancelCheck,
                       what: str = "the AMS", then: Callable[[], object] | None = None,
                       ) -> Generator[Any, None, None]:
    """`stream_from_child`, the child started now. Close the stream (or let it go) to end
    the child, whether or not an item was asked for."""
    items = _items(module, payload, cancel, what, then)
    next(items)  # started: the child runs, and closing the stream ends it
    return items


def _items(module: str, payload: object, cancel: CancelCheck, what: str,
           then: Callable[[], object] | None) -> Generator[Any, None, None]:
    child = subprocess.Popen([sys.executable, "-m", module], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, bufsize=1 << 16,
                             # Windows: no console window flashes up beside the console's
                             creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0))
    done = threading.Event()
    try:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(pickle.dumps((payload, os.getpid()), protocol=5))
        if then is None:
            child.stdin.close()
        threading.Thread(target=_stop_on_cancel, args=(child, cancel, done),
                         name="informz-child-cancel", daemon=True).start()
        yield None  # (taken by stream_from_child)
        if then is not None:
            _send_more(child.stdin, then())
        while not cancel():
            kind, item = _receive(child, child.stdout, cancel, what)
            if kind == "item":
                yield item
            elif kind == "error":
                raise item
            elif kind == "bug":
                name, trace = item
                raise RuntimeError(f"{name} in the process reading {what}:\n{trace}")
            else:  # "end", or cancelled
                return
    finally:
        done.set()
        _stop(child)


def _send_more(stdin: IO[bytes], more: object) -> None:
    """The second object, then the end of the child's input. A child that has already ended
    (an AMS error before it asked for more) says why on its output: read on."""
    with contextlib.suppress(BrokenPipeError), stdin:
        stdin.write(pickle.dumps(more, protocol=5))


def _receive(child: subprocess.Popen, out: IO[bytes], cancel: CancelCheck, what: str) -> tuple:
    try:
        return pickle.load(out)
    except (EOFError, pickle.UnpicklingError):
        pass
    if cancel():
        return "cancelled", None
    raise ConnectorError(
        f"The process reading {what} stopped unexpectedly (exit code {child.wait()}), so "
        f"nothing was changed; try again."
    )


def _stop_on_cancel(child: subprocess.Popen, cancel: CancelCheck, done: threading.Event) -> None:
    """A read of the child's output blocks; cancel ends the child, which ends the read."""
    while not done.wait(POLL_S):
        if cancel():
            child.terminate()
            return


def _stop(child: subprocess.Popen) -> None:
    if child.stdin is not None and not child.stdin.closed:  # stopped before `then` was sent
        with contextlib.suppress(OSError):
            child.stdin.close()
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


def serve(produce: Callable[..., Iterable[Any]], *, takes_more: bool = False) -> None:
    """The child's main: read the payload, send what `produce(payload)` yields (with
    `takes_more`, `produce(payload, more)`: `more()` is the parent's `then()`), then the end."""
    # Ctrl+C reaches the whole process group; the parent handles it (it cancels and ends us).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The child lives for one stream of short-lived pages: full collections, which walk every
    # object alive, only cost it (a million iMIS records: 0.7 s of its CPU); the young
    # generations still free what is cyclic. As the console's syncs do (sync/collector.py).
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 1 << 30)
    payload, parent = pickle.load(sys.stdin.buffer)
    _end_with(parent)
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    more = (lambda: pickle.load(sys.stdin.buffer),) if takes_more else ()
    with contextlib.suppress(BrokenPipeError), out:  # the parent stopped reading: say nothing
        _send_all(lambda given: produce(given, *more), payload, out)


def _send_all(produce: Callable[[Any], Iterable[Any]], payload: Any, out: IO[bytes]) -> None:
    def send(message: tuple) -> None:
        out.write(pickle.dumps(message, protocol=5))

    try:
        for item in produce(payload):
            send(("item", item))
        send(("end", None))
    except ConnectorError as err:
        send(("error", _portable(err)))
    except Exception as err:  # noqa: BLE001 - a bug: its name and traceback go to the parent
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
    """A parent killed outright cannot end its child: the child watches for it and ends."""

    def watch() -> None:
        while os.getppid() == parent:  # (Windows keeps the old id: there the pipe tells)
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="informz-child-parent", daemon=True).start()
