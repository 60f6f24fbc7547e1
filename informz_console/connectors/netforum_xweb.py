"""netFORUM xWeb over SOAP 1.1: zeep for the WSDL and the small calls, httpx for the wire, and the
rotating token kept in one place.

The token: `Authenticate(userName, password)` answers one in the SOAP header
`AuthorizationToken/Token`; every ExecuteMethod sends the newest token in the same header and is
answered with a new one, which replaces it. Calls are therefore serialised by a lock. A fault about
the token (stale, expired) signs in again once and repeats the call; a second one is an AuthError.
A fault never moves the token on, so the token sent stays the newest.

Small answers (groups, fields, writebacks) go through zeep: the WSDL is read from `?WSDL` on first
use, the service address is the configured endpoint (not whatever the WSDL names), and the rows come
back as lxml elements under `ExecuteMethodResult`. A member list can be a million rows, so
GetQueryMembers is different: zeep only builds the request envelope (`create_message`); httpx
streams the answer into `ResultStream`, which reads the new token from the header before any row
and parses rows as they arrive. The lock is held only until the token is read.

Retries (http_send.RETRY): the WSDL, Authenticate and the read methods are tried again with
backoff after a timeout, a refused or dropped connection or a 5xx page (not a SOAP fault); a
retried call that netFORUM did handle finds its token stale and signs in again as above. A
WriteBack is not retried here (the outbox retries it). A member stream cut off after its rows
began fails the run; the next run reads the query again from its start.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping

import httpx
import zeep
import zeep.exceptions
from lxml import etree
from zeep.transports import Transport
from zeep.wsdl.bindings.soap import Soap11Binding

from informz_console.connectors import http_send
from informz_console.connectors.errors import ConfigError, RemoteDataError
from informz_console.connectors.http_send import HttpClientFactory, default_client
from informz_console.connectors.netforum_errors import (
    INVALID_TOKEN,
    XWebErrors,
    fault_kind,
)
from informz_console.connectors.netforum_settings import NetforumSettings
from informz_console.connectors.netforum_stream import (
    NAMESPACE,
    FaultAnswer,
    ResultStream,
)

SERVICE = "InformzSync"
Row = dict[str, str]


class _HttpStatus(Exception):
    """An answer that is neither a 200 nor a SOAP fault (a 500 with XML): e.g. a 503 page."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code)
        self.status_code = response.status_code
        self.reason = response.reason_phrase


class _HttpxTransport(Transport):
    """zeep's transport on our httpx client: one connection pool, one set of timeouts. Answers
    zeep would misread as faults (an HTML error page that happens to parse) stop here. Unlike
    zeep's own transport it never logs request bodies: Authenticate's holds the password."""

    def __init__(self, client: httpx.Client, timeout_s: float) -> None:
        super().__init__(timeout=timeout_s, operation_timeout=timeout_s)
        self.http = client

    def get(self, address, params, headers):
        return self.http.get(address, params=params, headers=headers)

    def post(self, address, message, headers):
        response = self.http.post(address, content=message, headers=headers)
        media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if response.status_code != 200 and not (response.status_code == 500 and "xml" in media):
            raise _HttpStatus(response)
        return response

    def _load_remote_data(self, url):
        response = self.http.get(url)
        response.raise_for_status()
        return response.content


class XWebClient:
    def __init__(
        self,
        settings: NetforumSettings,
        password: str,
        client_factory: HttpClientFactory | None = None,
    ) -> None:
        self.settings = settings
        self.site = settings.site_url
        self._password = password
        timeout_s = settings.timeout_s
        self._http = client_factory(timeout_s) if client_factory else default_client(timeout_s, 4)
        self.errors = XWebErrors(self.site, settings.username, password, settings.timeout_s)
        self._lock = threading.RLock()
        self._zeep: zeep.Client | None = None
        self._service = None
        self._token: str | None = None

    def close(self) -> None:
        self._http.close()

    @property
    def token(self) -> str | None:
        """The newest token (None before signing in)."""
        return self._token

    # -- WSDL ----------------------------------------------------------------------------------
    def _client(self):
        if self._service is not None:
            return self._zeep, self._service
        what = "request for its service description (WSDL)"
        transport = _HttpxTransport(self._http, self.settings.timeout_s)
        try:
            client = self._retrying()(zeep.Client, self.settings.wsdl_url, transport=transport)
            port = next(
                port
                for service in client.wsdl.services.values()
                for port in service.ports.values()
                if isinstance(port.binding, Soap11Binding)
                and {"Authenticate", "ExecuteMethod"} <= set(port.binding.all())
            )
        except httpx.HTTPStatusError as exc:
            response = exc.response
            raise self.errors.status(response.status_code, response.reason_phrase, what) from None
        except httpx.HTTPError as exc:
            raise self.errors.transport(exc, what) from exc
        except (etree.XMLSyntaxError, zeep.exceptions.XMLSyntaxError):
            raise self.errors.malformed(what) from None
        except (zeep.exceptions.Error, StopIteration, LookupError, ValueError, AttributeError):
            raise ConfigError(
                f"The service description at {self.settings.wsdl_url} is not netFORUM xWeb "
                f"(no Authenticate and ExecuteMethod); check the site URL."
            ) from None
        self._zeep = client
        self._service = client.create_service(port.binding.name, self.settings.endpoint_url)
        return self._zeep, self._service

    # -- sign in -------------------------------------------------------------------------------
    def authenticate(self) -> str:
        with self._lock:
            _, service = self._client()
            what = "sign-in (Authenticate)"
            result = self._call(
                lambda: service.Authenticate(
                    userName=self.settings.username, password=self._password
                ),
                "Authenticate",
                what,
            )
            self._token = self._new_token(result, what)
            return self._token

    # -- ExecuteMethod -------------------------------------------------------------------------
    def execute(
        self,
        method: str,
        params: Mapping[str, str],
        *,
        subject: str = "",
        idempotent: bool = True,
    ) -> list[Row]:
        """Run a small InformzSync method; its rows as {column: text}. Only an `idempotent`
        call is tried again after a transient failure."""
        what = f"{method} call"
        with self._lock:
            _, service = self._client()
            for attempt in (1, 2):
                token = self._token or self.authenticate()
                try:
                    result = self._call(
                        lambda token=token: service.ExecuteMethod(
                            serviceName=SERVICE,
                            methodName=method,
                            parameters=_parameters(params),
                            _soapheaders=_token_header(token),
                        ),
                        "ExecuteMethod",
                        what,
                        idempotent=idempotent,
                    )
                except FaultAnswer as fault:
                    kind = fault_kind(fault.code, fault.text, "ExecuteMethod")
                    if kind == INVALID_TOKEN and attempt == 1:
                        self._token = None
                        continue
                    raise self.errors.fault(kind, fault.text, what, subject=subject) from None
                self._token = self._new_token(result, what)
                return _rows(result, self.errors, what)
        raise AssertionError("unreachable")  # pragma: no cover

    def stream(self, method: str, params: Mapping[str, str], *, subject: str = "") -> ResultStream:
        """Start a large InformzSync method; its rows arrive through the returned stream."""
        what = f"{method} call"
        with self._lock:
            client, service = self._client()
            for attempt in (1, 2):
                token = self._token or self.authenticate()
                envelope = client.create_message(
                    service,
                    "ExecuteMethod",
                    serviceName=SERVICE,
                    methodName=method,
                    parameters=_parameters(params),
                    _soapheaders=_token_header(token),
                )
                request = self._http.build_request(
                    "POST",
                    self.settings.endpoint_url,
                    content=etree.tostring(envelope, xml_declaration=True, encoding="utf-8"),
                    headers={
                        "Content-Type": "text/xml; charset=utf-8",
                        "SOAPAction": f'"{NAMESPACE}ExecuteMethod"',
                    },
                )
                try:
                    response = self._retrying(_unavailable)(self._http.send, request, stream=True)
                except httpx.HTTPError as exc:
                    raise self.errors.transport(exc, what) from exc
                stream = ResultStream(response, self.errors, what)
                try:
                    stream.begin()
                except FaultAnswer as fault:
                    stream.close()
                    kind = fault_kind(fault.code, fault.text, "ExecuteMethod")
                    if kind == INVALID_TOKEN and attempt == 1:
                        self._token = None
                        continue
                    raise self.errors.fault(kind, fault.text, what, subject=subject) from None
                except BaseException:
                    stream.close()
                    raise
                if not stream.token:
                    stream.close()
                    raise RemoteDataError(
                        f"netFORUM at {self.site} answered the {what} without a new session token "
                        f"in its SOAP header; check that the site URL points at netFORUM xWeb."
                    )
                self._token = stream.token
                return stream
        raise AssertionError("unreachable")  # pragma: no cover

    # -- helpers -------------------------------------------------------------------------------
    def _retrying(self, answer_transient: Callable[[object], bool] = lambda _a: False,
                  idempotent: bool = True):
        policy = http_send.RETRY if idempotent else http_send.ONCE
        return policy.retrying(_transient, answer_transient, f"netFORUM at {self.site}")

    def _call(
        self, send: Callable[[], object], operation: str, what: str, *, idempotent: bool = True
    ):
        """Run one zeep call (again after a transient failure when `idempotent`); every failure
        but a fault becomes a ConnectorError, a fault a FaultAnswer (or, for Authenticate, the
        ConnectorError straight away)."""
        try:
            return self._retrying(idempotent=idempotent)(send)
        except _HttpStatus as exc:
            raise self.errors.status(exc.status_code, exc.reason, what) from None
        except zeep.exceptions.Fault as fault:
            if fault.code is None and not isinstance(fault.detail, etree._Element | None):
                raise self.errors.not_soap(what) from None  # XML, but no soap:Fault in it
            code, text = _zeep_fault(fault)
            if operation == "Authenticate":
                kind = fault_kind(code, text, operation)
                raise self.errors.fault(kind, text, what) from None
            raise FaultAnswer(code, text) from None
        except zeep.exceptions.TransportError as exc:
            if exc.status_code == 200 or (exc.status_code == 500 and exc.content):
                raise self.errors.malformed(what) from None
            raise self.errors.status(exc.status_code, "", what) from None
        except (zeep.exceptions.XMLSyntaxError, etree.XMLSyntaxError):
            raise self.errors.malformed(what) from None
        except httpx.HTTPError as exc:
            raise self.errors.transport(exc, what) from exc
        except zeep.exceptions.Error:
            raise self.errors.not_soap(what) from None

    def _new_token(self, result: object, what: str) -> str:
        header = getattr(result, "header", None)
        holder = getattr(header, "AuthorizationToken", None)
        token = getattr(holder, "Token", None)
        if not isinstance(token, str) or not token.strip():
            raise RemoteDataError(
                f"netFORUM at {self.site} answered the {what} without a session token in its SOAP "
                f"header; check that the site URL points at netFORUM xWeb."
            )
        return token.strip()


def _transient(exc: BaseException) -> bool:
    """A failure worth trying again as is: the network, or a 5xx page instead of an answer."""
    if isinstance(exc, _HttpStatus):
        return exc.status_code >= 500
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code >= 500
    return http_send.is_transient(exc)


def _unavailable(response: object) -> bool:
    """A streamed 5xx page that is not a SOAP fault: closed here, tried again by the caller."""
    if not isinstance(response, httpx.Response):
        return False
    media = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if response.status_code < 500 or (response.status_code == 500 and "xml" in media):
        return False
    response.close()  # its status and reason stay readable for the error sentence
    return True


def _token_header(token: str) -> dict[str, dict[str, str]]:
    return {"AuthorizationToken": {"Token": token}}


def _parameters(params: Mapping[str, str]) -> dict[str, list[dict[str, str]]] | None:
    if not params:
        return None
    return {"Parameter": [{"Name": k, "Value": v} for k, v in params.items()]}


def _zeep_fault(fault: zeep.exceptions.Fault) -> tuple[str | None, str]:
    code = None
    detail = fault.detail
    if detail is not None:
        found = detail.findtext(f"{{{NAMESPACE}}}ErrorCode")
        code = (found.strip() or None) if found else None
    return code, str(fault.message or "").strip()


def _rows(result: object, errors: XWebErrors, what: str) -> list[Row]:
    body = getattr(result, "body", None)
    content = getattr(getattr(body, "ExecuteMethodResult", None), "_value_1", None)
    if isinstance(content, list):  # several top-level elements: take the Results one
        content = next((e for e in content if getattr(e, "tag", None) == "Results"), None)
    if not isinstance(content, etree._Element) or content.tag != "Results":
        raise errors.not_soap(what)
    return [
        {_localname(c.tag): c.text or "" for c in row if isinstance(c.tag, str)}
        for row in content
        if isinstance(row.tag, str) and _localname(row.tag) == "Result"
    ]


def _localname(tag: str) -> str:
    return tag.rpartition("}")[2]
