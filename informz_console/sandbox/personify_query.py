"""Answers an OData v2 read of one entity set from SQLite: `$filter`, `$select`, `$expand`,
`$top`, `$skip`, `$inlinecount=allpages`, and server-driven paging.

Server-driven paging, as WCF Data Services does it: a response holds at most `page_limit` rows in
key order; when more remain it ends with `__next`, the same request plus `$skiptoken` = the last
row's key values ('ALLCUST','000000100001',0). The next page seeks past that key (an index seek,
so page 1,000 of a million-row list costs what page 1 costs). `$skip` applies to the first page
only (the next link carries the skip token instead), and `$inlinecount` too: `__count` is on
the first page (real services repeat it on every page; the sandbox spares the count).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii as _text  # type: ignore[attr-defined]
from urllib.parse import quote, urlencode

from informz_console.sandbox.personify_entities import (
    ENTITY_SETS,
    EntitySet,
    Navigation,
    RowWriter,
    key_literal,
)
from informz_console.sandbox.personify_filter import (
    FilterParser,
    ODataError,
    literal_value,
    parse_literals,
    tokenize,
)

_OPTIONS = {"$filter", "$select", "$expand", "$top", "$skip", "$skiptoken", "$inlinecount",
            "$format"}  # fmt: skip
_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\((.*)\))?$")


@dataclass
class QueryOptions:
    filter: str | None = None
    select: list[str] | None = None
    expand: list[str] = field(default_factory=list)
    top: int | None = None
    skip: int = 0
    skiptoken: str | None = None
    inlinecount: bool = False


def _whole(name: str, text: str) -> int:
    if not text.isdigit():
        raise ODataError(400, f"Invalid value '{text}' for {name}: expected a whole number.")
    return int(text)


def parse_options(params: dict[str, str]) -> QueryOptions:
    options = QueryOptions()
    for name, value in params.items():
        if not name.startswith("$"):
            continue  # service operation / custom parameters are ignored
        if name not in _OPTIONS:
            raise ODataError(400, f"The query parameter '{name}' is not supported.")
        value = value.strip()
        if name == "$filter":
            options.filter = value
        elif name == "$select":
            options.select = [s.strip() for s in value.split(",") if s.strip()] or None
        elif name == "$expand":
            options.expand = [s.strip() for s in value.split(",") if s.strip()]
        elif name == "$top":
            options.top = _whole(name, value)
        elif name == "$skip":
            options.skip = _whole(name, value)
        elif name == "$skiptoken":
            options.skiptoken = value
        elif name == "$inlinecount":
            if value not in ("allpages", "none"):
                raise ODataError(400, f"Invalid value '{value}' for $inlinecount.")
            options.inlinecount = value == "allpages"
        elif name == "$format" and value.lower() != "json":
            raise ODataError(415, "The sandbox answers JSON only ($format=json).")
    return options


def parse_segment(segment: str) -> tuple[EntitySet, tuple | None]:
    """'MarketingLists' or "MarketingLists('X')" or "CustomerInfos(MasterCustomerId='1',
    SubCustomerId=0)" -> (entity set, key values or None)."""
    match = _SEGMENT.match(segment)
    entity = ENTITY_SETS.get(match.group(1)) if match else None
    if match is None or entity is None:
        raise ODataError(404, f"Resource not found for the segment '{segment}'.")
    inner = match.group(2)
    if inner is None:
        return entity, None
    tokens = tokenize(inner)
    if len(entity.keys) == 1 and len(tokens) == 2:
        return entity, (literal_value(tokens[0]),)
    values: dict[str, object] = {}
    at = 0
    while True:  # Name=literal, Name=literal
        if at + 3 >= len(tokens):
            raise ODataError(400, f"Bad key predicate '{inner}' for '{entity.name}'.")
        name, equals, value = tokens[at : at + 3]
        if name.text not in entity.keys or equals.text != "=" or name.text in values:
            raise ODataError(400, f"Bad key predicate '{inner}' for '{entity.name}'.")
        values[name.text] = literal_value(value)
        at += 3
        if tokens[at].kind == "end":
            break
        if tokens[at].text != ",":
            raise ODataError(400, f"Bad key predicate '{inner}' for '{entity.name}'.")
        at += 1
    if set(values) != set(entity.keys):
        raise ODataError(400, f"Bad key predicate '{inner}' for '{entity.name}'.")
    return entity, tuple(values[k] for k in entity.keys)


@dataclass
class _Plan:
    writer: RowWriter
    expanded: tuple[Navigation, RowWriter] | None
    deferred: list[str]


def _plan(entity: EntitySet, options: QueryOptions, service_url: str) -> _Plan:
    for name in options.expand:
        if name not in entity.navigation:
            raise ODataError(
                400, f"No navigation property '{name}' exists in type '{entity.full_type}'."
            )
    if len(options.expand) > 1:
        raise ODataError(400, "The sandbox expands one navigation property at a time.")
    nav = entity.navigation[options.expand[0]] if options.expand else None
    target = ENTITY_SETS[nav.target] if nav else None
    everything = options.select is None or "*" in options.select
    own: list[str] = list(entity.properties) if everything else []
    nav_props: list[str] = list(target.properties) if (target and everything) else []
    navs_named: set[str] = set(entity.navigation) if everything else set()
    for item in [] if everything else options.select or []:
        head, _, rest = item.partition("/")
        if rest:
            if nav is None or head != nav.name or target is None:
                raise ODataError(400, f"Select '{item}' needs $expand={head}.")
            if rest == "*":
                nav_props = list(target.properties)
            elif rest not in target.properties:
                raise ODataError(400, f"No property '{rest}' exists in type '{target.full_type}'.")
            elif rest not in nav_props:
                nav_props.append(rest)
            navs_named.add(head)
        elif item in entity.navigation:
            navs_named.add(item)
            if nav is not None and item == nav.name and target is not None:
                nav_props = list(target.properties)
        elif item in entity.properties:
            if item not in own:
                own.append(item)
        else:
            raise ODataError(400, f"No property '{item}' exists in type '{entity.full_type}'.")
    writer = RowWriter(entity, service_url, own)
    expanded = None
    if nav is not None and target is not None:
        navs_named.add(nav.name)
        expanded = (nav, RowWriter(target, service_url, nav_props))
    deferred = [n for n in entity.navigation if n in navs_named and (nav is None or n != nav.name)]
    return _Plan(writer, expanded, deferred)


def _where(entity: EntitySet, options: QueryOptions) -> tuple[list[str], dict[str, object]]:
    where: list[str] = []
    params: dict[str, object] = {}
    if options.filter:
        parser = FilterParser(
            entity.full_type,
            lambda name: f't."{name}"' if name in entity.properties else None,
            entity.is_boolean,
        )
        sql, params = parser.parse(options.filter)
        where.append(sql)
    return where, params


def _from(entity: EntitySet, plan: _Plan) -> tuple[str, list[str]]:
    columns = [f't."{c}"' for c in plan.writer.columns()]
    source = f'"{entity.table}" t'
    if plan.expanded is not None:
        nav, nav_writer = plan.expanded
        target = ENTITY_SETS[nav.target]
        on = " AND ".join(f'n."{theirs}" = t."{mine}"' for mine, theirs in nav.on)
        source += f' LEFT JOIN "{target.table}" n ON {on}'
        columns += [f'n."{c}"' for c in nav_writer.columns()]
    return source, columns


def _entities(rows: list[tuple], plan: _Plan) -> list[str]:
    """Each row as its entity's JSON text (expanded and deferred navigation included)."""
    out = []
    width = plan.writer.width()
    for row in rows:
        extra = ""
        if plan.expanded is not None:
            nav, nav_writer = plan.expanded
            inner = "null" if row[width] is None else nav_writer.entity_json(row, width)[0]
            extra = f',"{nav.name}":{inner}'
        if plan.deferred:
            uri = plan.writer.uri(row)
            extra += "".join(
                f',"{name}":{{"__deferred":{{"uri":{_text(f"{uri}/{name}")}}}}}'
                for name in plan.deferred
            )
        out.append(plan.writer.entity_json(row, 0, extra)[0])
    return out


def read_set(
    conn: sqlite3.Connection,
    entity: EntitySet,
    options: QueryOptions,
    service_url: str,
    page_limit: int,
) -> bytes:
    """The JSON document of a collection read: `{"d": {"__count"?, "results": [...],
    "__next"?}}` (count when asked, next when more rows remain)."""
    plan = _plan(entity, options, service_url)
    where, params = _where(entity, options)
    count = None
    if options.inlinecount:
        sql = f'SELECT COUNT(*) FROM "{entity.table}" t'
        count = conn.execute(sql + (f" WHERE {' AND '.join(where)}" if where else ""),
                             params).fetchone()[0]  # fmt: skip
    limit = page_limit if options.top is None else min(page_limit, options.top)
    source, columns = _from(entity, plan)
    select = f"SELECT {', '.join(columns)} FROM {source}"
    order = " ORDER BY " + ", ".join(f't."{k}"' for k in entity.keys) + " LIMIT :limit"
    wanted = limit + 1 + options.skip
    if options.skiptoken:
        rows = []
        for part, part_params in _after_token(entity, options.skiptoken):
            sql = f"{select} WHERE {' AND '.join([*where, part])}{order}"
            rows += conn.execute(sql, {**params, **part_params, "limit": wanted - len(rows)})
            if len(rows) >= wanted:
                break
        rows = rows[options.skip :]
    else:
        sql = select + (f" WHERE {' AND '.join(where)}" if where else "") + order
        rows = conn.execute(sql + " OFFSET :skip", {**params, "limit": limit + 1,
                                                    "skip": options.skip}).fetchall()  # fmt: skip
    more = len(rows) > limit
    rows = rows[:limit]
    head = f'{{"d":{{"__count":"{count}",' if count is not None else '{"d":{'
    tail = "}}"
    if more and rows and (options.top is None or options.top > limit):
        last = rows[-1][: len(entity.keys)]
        tail = ',"__next":' + _text(_next_link(entity, options, service_url, last, limit)) + tail
    return f'{head}"results":[{",".join(_entities(rows, plan))}]{tail}'.encode("ascii")


def _after_token(entity: EntitySet, token: str) -> list[tuple[str, dict[str, object]]]:
    """The rows after a skip token's keys (v1, ..., vn) as two index ranges, read in order:
    `k1 = v1 AND (k2, ..., kn) > (v2, ..., vn)`, then `k1 > v1`. (SQLite does not use one
    `(k1, ..., kn) > (...)` as a range when the filter also says `k1 = ...`: it would scan from
    the first row of the list to the token, and page 1,000 would cost a thousand pages.)"""
    values = parse_literals(token)
    if len(values) != len(entity.keys):
        raise ODataError(400, f"The skip token '{token}' is not valid.")
    head = f't."{entity.keys[0]}"'
    parts: list[tuple[str, dict[str, object]]] = []
    if len(values) > 1:
        rest = [f't."{k}"' for k in entity.keys[1:]]
        names = [f":k{n}" for n in range(1, len(values))]
        parts.append(
            (
                f"{head} = :k0 AND ({', '.join(rest)}) > ({', '.join(names)})",
                {f"k{n}": v for n, v in enumerate(values)},
            )
        )
    parts.append((f"{head} > :k0", {"k0": values[0]}))
    return parts


def _next_link(
    entity: EntitySet, options: QueryOptions, service_url: str, last: tuple, served: int
) -> str:
    params: dict[str, str] = {}
    if options.filter:
        params["$filter"] = options.filter
    if options.select:
        params["$select"] = ",".join(options.select)
    if options.expand:
        params["$expand"] = ",".join(options.expand)
    if options.top is not None:
        params["$top"] = str(options.top - served)
    params["$skiptoken"] = ",".join(key_literal(v) for v in last)
    query = urlencode(params, quote_via=quote, safe="$'(),/*")
    return f"{service_url}/{entity.name}?{query}"


def read_entity(
    conn: sqlite3.Connection,
    entity: EntitySet,
    key: tuple,
    options: QueryOptions,
    service_url: str,
) -> str | None:
    """One entity by key (`MarketingLists('X')`) as its JSON text, None when there is none."""
    plan = _plan(entity, options, service_url)
    source, columns = _from(entity, plan)
    names = [f"k{n}" for n in range(len(key))]
    where = " AND ".join(f't."{k}" = :{n}' for k, n in zip(entity.keys, names, strict=True))
    params = dict(zip(names, key, strict=True))
    rows = conn.execute(
        f"SELECT {', '.join(columns)} FROM {source} WHERE {where}", params
    ).fetchall()
    return _entities(rows, plan)[0] if rows else None


def count_set(conn: sqlite3.Connection, entity: EntitySet, options: QueryOptions) -> int:
    """`/EntitySet/$count`: the rows the filter selects."""
    where, params = _where(entity, options)
    sql = f'SELECT COUNT(*) FROM "{entity.table}" t'
    return conn.execute(sql + (f" WHERE {' AND '.join(where)}" if where else ""),
                        params).fetchone()[0]  # fmt: skip
