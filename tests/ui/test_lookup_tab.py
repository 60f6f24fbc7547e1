"""The Subscriber look-up tab on the demo mirror (issue 4): search by email or AMS id; status
and reason, AMS ids, groups; why it is or is not in a chosen group, the same sentence as the
CLI's `explain` (seed 000: "Why isn't my target group count what I think it should be?");
its history and its writebacks."""

from __future__ import annotations

import pytest
from gui_helpers import wait_jobs
from mirror_helpers import rows
from PySide6.QtCore import Qt

from informz_console.store.models import TargetGroup
from informz_console.store.queries.explain import explain
from informz_console.store.queries.history import subscriber_history
from informz_console.store.queries.subscriber import showcase_subscriber, subscriber_card
from informz_console.sync.outbox import enqueue
from informz_console.ui.tabs.lookup_tab import ASK, LookupTab


@pytest.fixture
def lookup(qtbot, demo_window, demo_services) -> LookupTab:
    tab = demo_window.show_tab(LookupTab)
    wait_jobs(qtbot, demo_services)
    return tab  # type: ignore[return-value]


def search_for(qtbot, tab: LookupTab, services, text: str, *, enter: bool = True) -> None:  # type: ignore[no-untyped-def]
    tab.search.clear()
    qtbot.keyClicks(tab.search, text)
    if enter:
        qtbot.keyClick(tab.search, Qt.Key.Key_Return)
    else:
        qtbot.mouseClick(tab.find, Qt.MouseButton.LeftButton)
    wait_jobs(qtbot, services)


def expected_verdict(services, email: str, group_id: int) -> str:  # type: ignore[no-untyped-def]
    with services.session() as session:
        return explain(session, email, session.get(TargetGroup, group_id)).verdict


def card_of(services, subscriber_id: int):  # type: ignore[no-untyped-def]
    with services.session() as session:
        return subscriber_card(session, subscriber_id)


@pytest.fixture
def showcase(demo_services):  # type: ignore[no-untyped-def]
    """A demo subscriber in some groups and excluded from another."""
    with demo_services.session() as session:
        found = showcase_subscriber(session)
    assert found is not None and found.group_id is not None
    return found


def test_look_up_by_email_shows_status_groups_explanation_and_history(
        qtbot, lookup, demo_services, showcase, qtmodeltester):
    search_for(qtbot, lookup, demo_services, showcase.email.upper())  # any case
    page = lookup.page
    assert [r[0] for r in lookup.results.rows] == [showcase.email]
    card = card_of(demo_services, showcase.subscriber_id)
    assert page.header.email.text() == showcase.email
    assert page.header.badge.text() == "Active"
    assert [(r[0], r[1]) for r in page.groups.rows] == [(g.bridge, g.name) for g in card.groups]
    assert card.links
    for link in card.links:
        assert f"{link.bridge}: <b>{link.ams_id}</b>" in page.header.links.text()

    # in a group: the first group it is in is explained first, as `explain` says it
    member_of = card.groups[0]
    assert page.explain.group.currentData() == member_of.id
    verdict = page.explain.verdict.text()
    assert verdict == expected_verdict(demo_services, showcase.email, member_of.id)
    assert verdict.startswith(f"{showcase.email} is a member of {member_of.name!r}")

    # excluded from another: chosen in the combo, explained the same way
    page.explain.choose_group(showcase.group_id)
    wait_jobs(qtbot, demo_services)
    verdict = page.explain.verdict.text()
    assert verdict == expected_verdict(demo_services, showcase.email, showcase.group_id)
    assert "is not a member" in verdict and "excluded " in verdict
    assert "Subscriber status: active" in page.explain.facts.text()

    with demo_services.session() as session:
        history = subscriber_history(session, card.id, card.email.lower())
    assert len(page.history.rows) == len(history) > 0
    assert {row[1] for row in page.history.rows} == {f"#{e.run_id}" for e in history}
    for model in (lookup.results, page.groups, page.history, page.writebacks):
        qtmodeltester.check(model)


def test_look_up_by_ams_id_finds_the_linked_subscriber(qtbot, lookup, demo_services, showcase):
    card = card_of(demo_services, showcase.subscriber_id)
    ams_id = card.links[0].ams_id
    search_for(qtbot, lookup, demo_services, ams_id, enter=False)  # the "Look up" button
    emails = [r[0] for r in lookup.results.rows]
    assert showcase.email in emails
    row = emails.index(showcase.email)
    lookup.results_view.selectRow(row)
    wait_jobs(qtbot, demo_services)
    assert lookup.page.header.email.text() == showcase.email
    assert ams_id in lookup.page.header.links.text()


def test_a_remote_unsubscribed_subscriber_shows_why(qtbot, lookup, demo_services):
    """Seed 001: an unsubscribe that started in the AMS shows as "Unsubscribed from remote
    system", and explain names the exclusion."""
    subscriber_id, email = rows(demo_services.engine, "SELECT id, email FROM subscriber WHERE "
                                "status = 'remote_unsubscribed' ORDER BY id LIMIT 1")[0]
    search_for(qtbot, lookup, demo_services, email)
    page = lookup.page
    assert page.header.badge.text() == "Remote unsubscribed"
    assert "Unsubscribed from remote system" in page.header.reason.text()
    group_id = page.explain.group.currentData()
    assert page.explain.verdict.text() == expected_verdict(demo_services, email, group_id)
    assert "Subscriber status: remote_unsubscribed" in page.explain.facts.text()


def test_a_subscribers_writebacks_are_listed(qtbot, lookup, demo_services, showcase,
                                             qtmodeltester):
    """Issue 5: the subscriber's writebacks, as the outbox holds them."""
    card = card_of(demo_services, showcase.subscriber_id)
    link = card.links[0]
    bridge_id = rows(demo_services.engine, "SELECT id FROM bridge WHERE name = :n",
                     n=link.bridge)[0][0]
    with demo_services.engine.begin() as conn:
        assert enqueue(conn, bridge_id=bridge_id, subscriber_id=card.id, type="iOPTOUT",
                       key=f"iOPTOUT:{bridge_id}:{link.ams_id}", payload={"ams_id": link.ams_id},
                       now=demo_services.clock.now())
    search_for(qtbot, lookup, demo_services, showcase.email)
    model = lookup.page.writebacks
    qtmodeltester.check(model)
    assert model.rowCount() == 1
    assert [model.data(model.index(0, c)) for c in (1, 2, 3, 4, 5)] == [
        link.bridge, showcase.email, link.ams_id, "iOPTOUT", "Ready"]
    assert lookup.page.details.tabText(1) == "Writebacks (1)"


def test_an_excluded_record_that_never_became_a_subscriber(qtbot, lookup, demo_services):
    """Seed 000: records without a valid email are not synced: the look-up of its AMS id says
    which resync excluded it and why."""
    ams_id, email, reason = rows(
        demo_services.engine, "SELECT e.ams_id, e.email, e.reason FROM exclusion e WHERE "
        "e.reason = 'invalid_email' AND e.email_key NOT IN (SELECT email_key FROM subscriber) "
        "ORDER BY e.id LIMIT 1")[0]
    search_for(qtbot, lookup, demo_services, ams_id)
    page = lookup.page
    assert not page.header.isVisible()  # no subscriber page was opened
    assert page.missing.text().startswith(f"No subscriber has the email or AMS id {ams_id!r}")
    assert page.excluded.rows and all(r[2] == ams_id for r in page.excluded.rows)
    assert {r[4] for r in page.excluded.rows} == {"Invalid email address"}
    group_id = page.explain.group.currentData()
    # explained by the AMS id asked for, as `informz-console explain AMS_ID` does
    assert page.explain.verdict.text() == expected_verdict(demo_services, ams_id, group_id)
    assert page.explain.verdict.text().startswith(f"AMS id {ams_id} is not a member")
    assert "Invalid email address" in page.explain.verdict.text()
    assert f"Its email in the AMS: {email!r}." in page.explain.verdict.text()


def test_a_record_without_an_email_is_explained_by_its_ams_id(qtbot, lookup, demo_services):
    """Seed 000: a record without an email address is not synced. Found by its AMS id, it is
    explained by that id (before, with no email to explain, the explanation was hidden)."""
    (ams_id,) = rows(
        demo_services.engine, "SELECT e.ams_id FROM exclusion e WHERE e.reason = "
        "'missing_email' AND e.ams_id NOT IN (SELECT ams_id FROM subscriber_link) "
        "ORDER BY e.id LIMIT 1")[0]
    search_for(qtbot, lookup, demo_services, ams_id)
    page = lookup.page
    assert page.explain.isVisible()
    verdict = page.explain.verdict.text()
    assert verdict == expected_verdict(demo_services, ams_id, page.explain.group.currentData())
    assert verdict.startswith(f"AMS id {ams_id} is not a member")
    assert verdict.endswith("excluded it: No email address.")


def test_nothing_found_and_nothing_typed_are_one_sentence(qtbot, lookup, demo_services):
    search_for(qtbot, lookup, demo_services, "nobody@nowhere.example")
    assert lookup.page.missing.text().startswith("No subscriber has an email, AMS id or name")
    assert not lookup.page.explain.isVisible()
    lookup.search.clear()
    qtbot.mouseClick(lookup.find, Qt.MouseButton.LeftButton)
    assert lookup.page.missing.text() == ASK


def test_ctrl_f_and_the_screenshot_subscriber(qtbot, lookup, demo_window, demo_services,
                                              showcase):
    demo_window.findChild(type(demo_window.menuBar())).setFocus()
    lookup.focus_find()
    assert lookup.search.hasFocus()
    lookup.prepare_screenshot()
    wait_jobs(qtbot, demo_services)
    assert lookup.page.header.email.text() == showcase.email
    assert lookup.page.explain.group.currentData() == showcase.group_id
    assert "is not a member" in lookup.page.explain.verdict.text()


def test_an_email_as_the_ams_gave_it_finds_the_subscriber_it_was_corrected_to(
        qtbot, lookup, demo_services, showcase):
    """Seed 000 / DOMAIN iCORRECT: the advisor types the AMS's own `x@@y.org`; the look-up
    opens the subscriber the sync made of it, and explain names the correction. (The demo's
    300 members hold too few typos to count on one: the iCORRECT is queued as a sync does.)"""
    card = card_of(demo_services, showcase.subscriber_id)
    link = card.links[0]
    bridge_id = rows(demo_services.engine, "SELECT id FROM bridge WHERE name = :n",
                     n=link.bridge)[0][0]
    original = card.email.replace("@", "@@")
    with demo_services.engine.begin() as conn:
        assert enqueue(conn, bridge_id=bridge_id, subscriber_id=card.id, type="iCORRECT",
                       key=f"iCORRECT:{bridge_id}:{link.ams_id}",
                       payload={"ams_id": link.ams_id, "original": original,
                                "corrected": card.email},
                       now=demo_services.clock.now())
    search_for(qtbot, lookup, demo_services, original)
    assert [r[0] for r in lookup.results.rows] == [card.email]
    page = lookup.page
    assert page.header.email.text() == card.email
    group = next(g for g in card.groups if g.bridge == link.bridge)
    page.explain.choose_group(group.id)
    wait_jobs(qtbot, demo_services)
    verdict = page.explain.verdict.text()
    assert verdict == expected_verdict(demo_services, card.email, group.id)
    assert verdict.endswith(f"AMS id {link.ams_id} gave this email as {original!r}: the sync "
                            "corrected it, and the iCORRECT writeback to the AMS is waiting to "
                            "be sent.")
