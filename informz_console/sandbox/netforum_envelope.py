"""The SOAP 1.1 text the netFORUM sandbox writes: envelopes, the token header, result rows, faults.

Result rows are `<Result>` elements of one child per column, in no namespace, as ASP.NET writes a
DataSet: a NULL column is left out, an empty string is an empty element. Member rows are rendered
by SQLite itself (`row_sql`), so a million-row answer costs the server little Python time.
"""

from __future__ import annotations

from collections.abc import Sequence

from informz_console.sandbox.netforum_wsdl import NAMESPACE

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
_ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
)
TAIL = "</soap:Body></soap:Envelope>"
EXECUTE_OPEN = f'<ExecuteMethodResponse xmlns="{NAMESPACE}"><ExecuteMethodResult>'
EXECUTE_CLOSE = "</ExecuteMethodResult></ExecuteMethodResponse>"
RESULTS_CLOSE = "</Results>"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def head(token: str | None) -> str:
    """The envelope up to and including `<soap:Body>`, with the token header when given."""
    if token is None:
        return _ENVELOPE + "<soap:Body>"
    return (
        f'{_ENVELOPE}<soap:Header><AuthorizationToken xmlns="{NAMESPACE}">'
        f"<Token>{escape(token)}</Token></AuthorizationToken></soap:Header><soap:Body>"
    )


def authenticate_response(token: str) -> bytes:
    body = (
        f'<AuthenticateResponse xmlns="{NAMESPACE}"><AuthenticateResult>{NAMESPACE}'
        "</AuthenticateResult></AuthenticateResponse>"
    )
    return (head(token) + body + TAIL).encode("utf-8")


def results_open(count: int) -> str:
    return f'<Results recordReturn="{count}" xmlns="">'


def row(columns: Sequence[str], values: Sequence[object]) -> str:
    out = ["<Result>"]
    for column, value in zip(columns, values, strict=True):
        if value is None:
            continue
        text = escape(str(value))
        out.append(f"<{column}>{text}</{column}>" if text else f"<{column} />")
    out.append("</Result>")
    return "".join(out)


def execute_response(token: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    parts = [head(token), EXECUTE_OPEN, results_open(len(rows))]
    parts.extend(row(columns, values) for values in rows)
    parts += [RESULTS_CLOSE, EXECUTE_CLOSE, TAIL]
    return "".join(parts).encode("utf-8")


def row_sql(columns: Sequence[str]) -> str:
    """A SQLite expression rendering one `<Result>` row of these columns (same rules as `row`).

    Escaping costs three replace() calls per column, so it is done only for the rare row whose
    values hold one of & < > (one GLOB over the row's values decides)."""

    def column(c: str, escaped: bool) -> str:
        value = f"CAST({c} AS TEXT)"
        if escaped:
            value = f"replace(replace(replace({value}, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
        return (
            f"CASE WHEN {c} IS NULL THEN '' WHEN {c} = '' THEN '<{c} />'"
            f" ELSE '<{c}>' || {value} || '</{c}>' END"
        )

    def render(escaped: bool) -> str:
        return (
            "'<Result>' || " + " || ".join(column(c, escaped) for c in columns) + " || '</Result>'"
        )

    values = " || ".join(f"coalesce({c}, '')" for c in columns)
    return f"CASE WHEN ({values}) GLOB '*[&<>]*' THEN {render(True)} ELSE {render(False)} END"


def fault(code: str, text: str, error_code: str) -> bytes:
    """A SOAP 1.1 fault (sent with HTTP 500). `code` is "soap:Client" or "soap:Server";
    `error_code` goes in the detail so that clients need not parse the text."""
    return (
        f"{head(None)}<soap:Fault><faultcode>{code}</faultcode>"
        f"<faultstring>{escape(text)}</faultstring><detail>"
        f'<ErrorCode xmlns="{NAMESPACE}">{error_code}</ErrorCode></detail></soap:Fault>{TAIL}'
    ).encode()
