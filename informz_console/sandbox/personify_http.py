"""The Personify Data Services (PDS) stand-in on 127.0.0.1: OData v2, JSON verbose, HTTP Basic.

Under `/PersonifyDataServices/PersonifyData.svc` (the path matched without case, as IIS does):
- `GET /` the service document `{"d": {"EntitySets": [...]}}`; `GET /$metadata` a small EDMX;
- `GET /{EntitySet}` with `$filter $select $expand $top $skip $inlinecount $skiptoken`
  -> `{"d": {"results": [...], "__count"?: "N", "__next"?: url}}` (`personify_query`), at most
  `page_limit` rows per response (server-driven paging);
- `GET /{EntitySet}(key)` -> `{"d": {...}}` or 404; `GET /{EntitySet}/$count` -> text;
- `POST /CustomerCommunicationUpdates` the writeback (`personify_writes`) -> 201 `{"d": {...}}`.

Every request needs `Authorization: Basic` with the sandbox user and password (user name without
case); anything else is 401 with `WWW-Authenticate: Basic`. Errors are OData JSON errors
`{"error": {"code", "message": {"lang", "value"}}}`. A URL over MAX_URL characters is 414, like
IIS's request limits (a `$filter` of thousands of `or`-ed keys does not get through).

Fault switches and latency: see `fault_http` ("drop" cuts a result set short).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from informz_console.sandbox.fault_http import FAIL_MODES, FaultHandler, FaultPlan, FaultServer
from informz_console.sandbox.personify_entities import ENTITY_SETS, NAMESPACE, SERVICE_PATH
from informz_console.sandbox.personify_filter import ODataError
from informz_console.sandbox.personify_query import (
    count_set,
    parse_options,
    parse_segment,
    read_entity,
    read_set,
)
from informz_console.sandbox.personify_writes import apply_update
from informz_console.sandbox.pool import ConnectionPool

__all__ = ["FAIL_MODES", "FaultPlan", "PersonifyHttpServer"]

DEFAULT_PAGE_LIMIT = 1000
MAX_URL = 8192
_JSON = "application/json;charset=utf-8"
_GARBAGE = (
    b"<!DOCTYPE html><html><head><title>Runtime Error</title></head>"
    b"<body><h1>Server Error in '/PersonifyDataServices' Application.</h1></body></html>"
)


def odata_error(message: str, code: str = "") -> bytes:
    return json.dumps(
        {"error": {"code": code, "message": {"lang": "en-US", "value": message}}}
    ).encode()


class PersonifyHttpServer(FaultServer):
    def __init__(self, port: int, db_path: str | Path, username: str, password: str) -> None:
        super().__init__(port, _Handler)
        self.db_path = str(db_path)
        self.username = username
        self.password = password
        self.page_limit = DEFAULT_PAGE_LIMIT
        self._pool = ConnectionPool(db_path)
        self.connection = self._pool.connection  # one per handler thread at a time
        host, bound = self.server_address[:2]
        self.service_url = f"http://{host}:{bound}{SERVICE_PATH}"

    def authorized(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, sep, password = decoded.partition(":")
        return (
            bool(sep)
            and user.casefold() == self.username.casefold()
            and (secrets.compare_digest(password.encode(), self.password.encode()))
        )

    def stop(self) -> None:
        super().stop()
        self._pool.close()


def service_document() -> dict:
    return {"d": {"EntitySets": list(ENTITY_SETS)}}


def metadata_xml() -> bytes:
    types, sets = [], []
    for entity in ENTITY_SETS.values():
        keys = "".join(f'<PropertyRef Name="{k}"/>' for k in entity.keys)
        props = "".join(
            f'<Property Name="{n}" Type="{t}" Nullable="{str(n not in entity.keys).lower()}"/>'
            for n, t in entity.properties.items()
        )
        navs = "".join(
            f'<NavigationProperty Name="{n.name}" Relationship="{NAMESPACE}.{entity.type_name}_'
            f'{n.name}" FromRole="{entity.type_name}" ToRole="{n.name}"/>'
            for n in entity.navigation.values()
        )
        types.append(f'<EntityType Name="{entity.type_name}"><Key>{keys}</Key>{props}{navs}'
                     f"</EntityType>")  # fmt: skip
        sets.append(f'<EntitySet Name="{entity.name}" EntityType="{entity.full_type}"/>')
    return (
        '<?xml version="1.0" encoding="utf-8" standalone="yes"?>'
        '<edmx:Edmx Version="1.0" xmlns:edmx="http://schemas.microsoft.com/ado/2007/06/edmx">'
        '<edmx:DataServices m:DataServiceVersion="2.0" '
        'xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata">'
        f'<Schema Namespace="{NAMESPACE}" xmlns="http://schemas.microsoft.com/ado/2008/09/edm">'
        f'{"".join(types)}<EntityContainer Name="PersonifyEntities" '
        f'm:IsDefaultEntityContainer="true">{"".join(sets)}</EntityContainer>'
        "</Schema></edmx:DataServices></edmx:Edmx>"
    ).encode()


class _Handler(FaultHandler):
    server: PersonifyHttpServer
    garbage_body = _GARBAGE
    drop_prefix = b'{"d": {"results": [{"__metadata": {"uri": "'
    json_type = _JSON
    json_options = {"separators": (",", ":")}
    fixed_headers = (("DataServiceVersion", "2.0;"),)

    # -- routing -------------------------------------------------------------------------------
    def _route(self) -> tuple[str, dict[str, str]] | None:
        """(the path below the service root, query options), or None after answering."""
        if len(self.path) > MAX_URL:
            self._send(414, b"<html><body>Request URL Too Long</body></html>", "text/html")
            return None
        if not self.server.authorized(self.headers.get("Authorization", "")):
            self._send(401, odata_error("Access is denied."), _JSON,
                       {"WWW-Authenticate": 'Basic realm="PersonifyDataServices"'})  # fmt: skip
            return None
        url = urlsplit(self.path)
        path = unquote(url.path)
        if not path.lower().startswith(SERVICE_PATH.lower()):
            self._send(404, b"<html><body>Not Found</body></html>", "text/html")
            return None
        rest = path[len(SERVICE_PATH) :].strip("/")
        params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        return rest, params

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if self._faulted():
            return
        routed = self._route()
        if routed is None:
            return
        rest, params = routed
        try:
            if rest == "":
                return self._json(200, service_document())
            if rest == "$metadata":
                return self._send(200, metadata_xml(), "application/xml;charset=utf-8")
            segment, _, tail = rest.partition("/")
            entity, key = parse_segment(segment)
            options = parse_options(params)
            with self.server.connection() as conn:
                if tail == "$count" and key is None:
                    count = count_set(conn, entity, options)
                    return self._send(200, str(count).encode(), "text/plain;charset=utf-8")
                if tail:
                    raise ODataError(404, f"Resource not found for the segment '{tail}'.")
                if key is not None:
                    item = read_entity(conn, entity, key, options, self.server.service_url)
                    if item is None:
                        raise ODataError(404, f"Resource not found for the segment '{segment}'.")
                    return self._send(200, f'{{"d":{item}}}'.encode("ascii"), _JSON)
                body = read_set(conn, entity, options, self.server.service_url,
                                self.server.page_limit)  # fmt: skip
            self._send(200, body, _JSON)
        except ODataError as exc:
            self._send(exc.status, odata_error(str(exc)), _JSON)
        except sqlite3.Error:
            self._send(500, odata_error("An error occurred while processing this request."),
                       _JSON)  # fmt: skip

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = self._body()
        if self._faulted():
            return
        routed = self._route()
        if routed is None:
            return
        rest, _ = routed
        try:
            entity, key = parse_segment(rest)
            if not entity.writable or key is not None:
                raise ODataError(405, f"The resource '{rest}' does not accept POST.")
            try:
                payload = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise ODataError(400, "The request body is not valid JSON.") from None
            with self.server.connection() as conn, conn:
                activity = apply_update(conn, payload, datetime.now(UTC))
                item = read_entity(conn, entity, (activity,), parse_options({}),
                                   self.server.service_url)  # fmt: skip
            location = f"{self.server.service_url}/{entity.name}({activity})"
            self._send(201, f'{{"d":{item}}}'.encode("ascii"), _JSON, {"Location": location})
        except ODataError as exc:
            self._send(exc.status, odata_error(str(exc)), _JSON)
        except sqlite3.Error:
            self._send(500, odata_error("An error occurred while processing this request."),
                       _JSON)  # fmt: skip
