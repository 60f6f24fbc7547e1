"""A large IQA query's pages read by a process of their own (connectors/imis_iqa_process),
against the real sandbox: the same people in the same order as pages read by threads here, and
cancel, a fault or an expired token behave as they do here. `IQA_PROCESS_FROM = 1` sends the
tests' 2,000-member group to the child."""

from __future__ import annotations

import math

import pytest
from imis_fixtures import MEMBERS, imis, imis_shared, imis_template, make_connector  # noqa: F401
from process_helpers import live_children

from informz_console.connectors import imis as imis_connector
from informz_console.connectors.errors import RemoteDataError, UnreachableError

EVERYONE = "$/Informz/Everyone"
CHILD = "informz_console.connectors.imis_iqa_process"


@pytest.fixture
def in_a_child(monkeypatch):
    monkeypatch.setattr(imis_connector, "IQA_PROCESS_FROM", 1)


def iqa_children() -> list[int]:
    return live_children(CHILD)


def ids(pages) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.ams_id for page in pages for r in page]


def test_the_child_reads_the_same_people_in_the_same_order(imis_shared, in_a_child,  # noqa: F811
                                                           monkeypatch):
    with make_connector(imis_shared, page_size=97) as connector:
        stream = connector.group_members(EVERYONE)
        pages = iter(stream.pages)
        first = next(pages)
        assert iqa_children(), "the pages were not read by a child"
        through_child = [first, *pages]
    assert stream.total == MEMBERS and len(through_child) == math.ceil(MEMBERS / 97)
    assert iqa_children() == []
    monkeypatch.setattr(imis_connector, "IQA_PROCESS_FROM", 10**9)  # now read here, by threads
    with make_connector(imis_shared, page_size=97) as connector:
        assert ids(connector.group_members(EVERYONE).pages) == ids(through_child)


def test_cancel_and_closing_the_stream_end_the_child(imis_shared, in_a_child):  # noqa: F811
    seen = []
    with make_connector(imis_shared, page_size=100) as connector:
        stream = connector.group_members(EVERYONE, cancel=lambda: len(seen) >= 3)
        for page in stream.pages:
            seen.append(page)
        assert [len(p) for p in seen] == [100, 100, 100]
        assert iqa_children() == []
        pages = connector.group_members(EVERYONE).pages
        next(pages)
        pages.close()  # abandoned after one page
        assert iqa_children() == []


def test_a_token_that_expires_mid_stream_is_renewed_by_the_child(imis, in_a_child):  # noqa: F811
    with make_connector(imis, page_size=100) as connector:
        pages = iter(connector.group_members(EVERYONE).pages)
        first = next(pages)
        imis.expire_tokens()
        rest = [r for page in pages for r in page]
    assert len(first) + len(rest) == MEMBERS


def test_faults_in_the_child_are_the_same_errors(imis, in_a_child):  # noqa: F811
    with make_connector(imis, page_size=100) as connector:
        stream = connector.group_members(EVERYONE)
        imis.set_fault("garbage", after_requests=3)
        with pytest.raises(RemoteDataError, match="not JSON") as err:
            for _ in stream.pages:
                pass
        assert imis.password not in str(err.value)
        imis.set_fault("drop", after_requests=2)
        with pytest.raises(UnreachableError, match="closed the connection"):
            for _ in connector.group_members(EVERYONE).pages:
                pass
    assert iqa_children() == []
