"""One HTTP request to an AMS, with every transport failure and the common status answers turned
into a ConnectorError with one sentence naming the AMS and the site (never a secret).

`AmsHttp` holds what the sentences name: the AMS ("iMIS"), the site as the user entered it and the
timeout. Connectors differ only in whether a sentence names the call ("did not answer the sign-in
within ..."), which the two `names_call...` flags choose, so that each keeps its wording.

Retries (tenacity): an idempotent call that meets a transient failure - a timeout, a refused or
dropped connection, a 5xx answer - is tried again after an exponential backoff, up to
`RETRY.attempts` times in all; the last failure is then reported as usual. Answers that retrying
cannot fix (401/403, 400, 404, a body we cannot read) are never retried, and neither is a call
that may have been applied (a POST that creates something).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
)

from informz_console.connectors.errors import (
    ConfigError,
    ConnectorError,
    RemoteDataError,
    UnreachableError,
)

HttpClientFactory = Callable[[float], httpx.Client]
DROPPED = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
# worth trying again as is: the network or the server, not the request, was the problem
TRANSIENT = (httpx.TimeoutException, httpx.ConnectError, *DROPPED)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a transient failure is tried again."""

    attempts: int = 3  # in all, the first one included
    first_wait_s: float = 0.25  # then doubled per attempt
    max_wait_s: float = 4.0

    def retrying(self, transient: Callable[[BaseException], bool],
                 answer_transient: Callable[[Any], bool] = lambda _answer: False,
                 label: str = "") -> Retrying:
        """A tenacity `Retrying` that tries again on an exception `transient` accepts or an
        answer `answer_transient` accepts; once out of attempts it gives back the last answer or
        raises the last exception unchanged."""
        return Retrying(
            stop=stop_after_attempt(max(1, self.attempts)),
            wait=wait_exponential(multiplier=self.first_wait_s, max=self.max_wait_s),
            retry=retry_if_exception(transient) | retry_if_result(answer_transient),
            retry_error_callback=_last_outcome,
            before_sleep=lambda state: _log_retry(label, state),
            reraise=True,
        )


RETRY = RetryPolicy()  # the console's policy (a test may set a quicker one)
ONCE = RetryPolicy(attempts=1)


def _last_outcome(state: RetryCallState) -> Any:
    return state.outcome.result()  # the last answer, or its exception raised again


def _log_retry(label: str, state: RetryCallState) -> None:
    outcome = state.outcome
    if outcome.failed:
        why = type(outcome.exception()).__name__
    else:
        why = f"status {getattr(outcome.result(), 'status_code', '?')}"
    wait = state.next_action.sleep if state.next_action else 0.0
    log.info("%s: %s on attempt %d; trying again in %.2f s.", label, why,
             state.attempt_number, wait)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, TRANSIENT)


def is_server_error(response: object) -> bool:
    return isinstance(response, httpx.Response) and response.status_code >= 500


def default_client(timeout_s: float, connections: int = 8) -> httpx.Client:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.Client(timeout=httpx.Timeout(timeout_s), limits=limits)


@functools.lru_cache(maxsize=64)
def _retrying_for(policy: RetryPolicy, label: str) -> Retrying:
    """One `Retrying` per policy and site, reused: tenacity keeps a call's state per thread,
    and a new one per request would leave a reference cycle behind each time."""
    return policy.retrying(is_transient, is_server_error, label)


def released(response: httpx.Response) -> httpx.Response:
    """The response, no longer in a reference cycle with its spent stream.

    httpx 0.28 ties each response to its stream and the stream back to the response
    (encode/httpx#3733), so every read response - with its request, headers and pool records,
    ~55 objects - waits for the cyclic garbage collector instead of being freed at once. A
    sync reads thousands of pages: the console's window would stall on collecting them.
    Its body is read and kept (`content`), so the spent stream is replaced by that body."""
    if response.is_closed:
        with contextlib.suppress(httpx.ResponseNotRead):  # closed unread: nothing to keep
            response.stream = httpx.ByteStream(response.content)
    return response


def read_answer(client: httpx.Client, method: str, url: str, *,
                auth: Any = httpx.USE_CLIENT_DEFAULT,
                follow_redirects: Any = httpx.USE_CLIENT_DEFAULT, **kwargs) -> httpx.Response:
    """`client.request(...)`, its answer read whole and `released`. An answer whose body breaks
    off is set free as well (httpx would leave it in its cycle, held by nothing): a retried
    dropped connection leaves nothing to the collector either."""
    request = client.build_request(method, url, **kwargs)
    response = client.send(request, auth=auth, follow_redirects=follow_redirects, stream=True)
    try:
        response.read()
    except BaseException:
        response.close()
        response.stream = httpx.ByteStream(b"")  # unread: nothing to keep, only the cycle
        raise
    return released(response)


def status_text(status_code: int, reason: str) -> str:
    """`404 Not Found` (just `404` when there is no reason phrase)."""
    return f"{status_code} {reason}".strip()


@dataclass(frozen=True)
class AmsHttp:
    ams: str  # "iMIS", "Personify", ...
    site: str
    timeout_s: float
    names_call: bool = False  # timeouts and dropped connections name the call
    names_call_when_unusable: bool = False  # so do other transport failures
    retry: RetryPolicy | None = field(default=None, compare=False)  # None: RETRY at call time

    def send(
        self,
        client: httpx.Client,
        method: str,
        url: str,
        what: str = "",
        *,
        idempotent: bool = False,
        **kwargs,
    ) -> httpx.Response:
        """`client.request(method, url, **kwargs)`. An `idempotent` call is tried again with
        backoff after a timeout, a refused or dropped connection or a 5xx answer (see module
        doc); the 5xx answer itself comes back once out of attempts, for the caller to word."""
        policy = (self.retry or RETRY) if idempotent else ONCE
        retrying = _retrying_for(policy, f"{self.ams} at {self.site}")
        try:
            return retrying(read_answer, client, method, url, **kwargs)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise self.transport_error(exc, what) from exc

    def transport_error(
        self, exc: httpx.HTTPError | httpx.InvalidURL, what: str = ""
    ) -> ConnectorError:
        call = f" the {what}" if self.names_call else ""
        to_call = f" to the {what}" if self.names_call else ""
        if isinstance(exc, httpx.TimeoutException):
            return UnreachableError(
                f"{self.ams} at {self.site} did not answer{call} within {self.timeout_s:g} "
                f"seconds; check that the site is up, or raise the bridge's timeout."
            )
        if isinstance(exc, httpx.ConnectError):
            return UnreachableError(
                f"{self.ams} at {self.site} could not be reached; check the site URL and that "
                f"the server is running."
            )
        if isinstance(exc, DROPPED):
            return UnreachableError(
                f"{self.ams} at {self.site} closed the connection before finishing its "
                f"answer{to_call}; try again."
            )
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
            return ConfigError(
                f"The {self.ams} site URL {self.site} is not a usable web address; check the "
                f"bridge's site URL."
            )
        used_for = f" for the {what}" if self.names_call_when_unusable else ""
        return UnreachableError(
            f"{self.ams} at {self.site} could not be used{used_for} ({type(exc).__name__}); "
            f"try again."
        )

    def server_down(self, code: str, what: str) -> UnreachableError:
        """The error for a 5xx answer (`code`: see `status_text`)."""
        return UnreachableError(
            f"{self.ams} at {self.site} answered {code} to the {what}; it may be down or "
            f"restarting, try again later."
        )

    def unexpected_status(self, code: str, what: str) -> RemoteDataError:
        """The error for a status nothing else explains."""
        return RemoteDataError(
            f"{self.ams} at {self.site} answered {code} to the {what}; check the site URL."
        )
