"""netFORUM sandbox fixtures. Import them explicitly into a test module:

    from netforum_fixtures import netforum, netforum_shared, netforum_template  # noqa: F401

One sandbox database is generated per session (`netforum_template`, 2,000 customers);
`netforum_shared` serves a copy for tests that only read; `netforum` gives each test its own
running copy to change, break or stop. `soap_call` speaks xWeb SOAP by hand (httpx), for tests of
the wire itself.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
import pytest
from lxml import etree

from informz_console.connectors.netforum import NetforumConnector, NetforumSettings
from informz_console.sandbox.netforum import DB_NAME, NetforumSandbox

MEMBERS = 2000
SEED = 7
NS = "http://www.avectra.com/2005/"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
EVERYONE = "All Customers"


def copy_sandbox(template: Path, directory: Path) -> NetforumSandbox:
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template / DB_NAME, directory / DB_NAME)
    return NetforumSandbox.open(directory)


def make_connector(
    sandbox: NetforumSandbox, password: str | None = None, **overrides
) -> NetforumConnector:
    settings = NetforumSettings.from_mapping(sandbox.bridge_settings(**overrides))
    return NetforumConnector(settings, sandbox.password if password is None else password)


@pytest.fixture(scope="session")
def netforum_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("netforum-template")
    NetforumSandbox.create(directory, members=MEMBERS, seed=SEED)
    return directory


@pytest.fixture(scope="session")
def netforum_shared(
    netforum_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NetforumSandbox]:
    """A running sandbox shared by the session: read it, never change it."""
    with copy_sandbox(netforum_template, tmp_path_factory.mktemp("netforum-shared")) as sandbox:
        yield sandbox


@pytest.fixture
def netforum(netforum_template: Path, tmp_path: Path) -> Iterator[NetforumSandbox]:
    """A running sandbox of this test's own: change customers, break the server, stop it."""
    with copy_sandbox(netforum_template, tmp_path / "netforum") as sandbox:
        yield sandbox


# -- xWeb by hand ------------------------------------------------------------------------------


def envelope(operation: str, fields: Mapping[str, str], token: str | None = None) -> bytes:
    header = ""
    if token is not None:
        header = (
            f'<soap:Header><AuthorizationToken xmlns="{NS}"><Token>{escape(token)}</Token>'
            "</AuthorizationToken></soap:Header>"
        )
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP}">{header}'
        f'<soap:Body><{operation} xmlns="{NS}">{body}</{operation}></soap:Body></soap:Envelope>'
    ).encode()


def execute_envelope(method: str, params: Mapping[str, str], token: str | None) -> bytes:
    parameters = "".join(
        f"<Parameter><Name>{escape(k)}</Name><Value>{escape(v)}</Value></Parameter>"
        for k, v in params.items()
    )
    fields = {"serviceName": "InformzSync", "methodName": method}
    text = envelope("ExecuteMethod", fields, token).decode()
    return text.replace(
        "</ExecuteMethod>", f"<parameters>{parameters}</parameters></ExecuteMethod>"
    ).encode()


def soap_post(client: httpx.Client, sandbox: NetforumSandbox, body: bytes, action: str):
    return client.post(
        sandbox.endpoint_url,
        content=body,
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{NS}{action}"'},
    )


def parse(response: httpx.Response) -> etree._Element:
    return etree.fromstring(response.content)


def token_of(root: etree._Element) -> str | None:
    return root.findtext(f"{{{SOAP}}}Header/{{{NS}}}AuthorizationToken/{{{NS}}}Token")


def fault_of(root: etree._Element) -> tuple[str, str] | None:
    """(ErrorCode, faultstring) of a fault answer, None for any other answer."""
    fault = root.find(f"{{{SOAP}}}Body/{{{SOAP}}}Fault")
    if fault is None:
        return None
    return fault.findtext(f"detail/{{{NS}}}ErrorCode"), fault.findtext("faultstring")


def rows_of(root: etree._Element) -> list[dict[str, str]]:
    return [
        {child.tag: child.text or "" for child in row}
        for row in root.iterfind(f".//{{{NS}}}ExecuteMethodResult/Results/Result")
    ]


def authenticate(client: httpx.Client, sandbox: NetforumSandbox, password: str | None = None):
    body = envelope(
        "Authenticate",
        {
            "userName": sandbox.username,
            "password": sandbox.password if password is None else password,
        },
    )
    return soap_post(client, sandbox, body, "Authenticate")


def execute(client, sandbox, method: str, token: str | None, **params: str) -> httpx.Response:
    return soap_post(client, sandbox, execute_envelope(method, params, token), "ExecuteMethod")
