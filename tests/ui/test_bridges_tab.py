"""The Bridges tab against the running demo sandboxes: the list, the kind-specific form, saving
(bad settings change nothing), the password going to the keyring only, testing a connection,
refreshing a target group list and choosing iMIS remote interests (seed 004)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gui_helpers import wait_jobs
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import text

from informz_console.ui.bridges.bridge_list_model import SECRET_COLUMN
from informz_console.ui.tabs.bridges_tab import BridgesTab

DEMO_BRIDGES = ["Demo iDSS", "Demo iMIS", "Demo netFORUM Pro", "Demo Personify360"]


def bridges_tab(qtbot, window) -> BridgesTab:  # type: ignore[no-untyped-def]
    tab = window.show_tab(BridgesTab)
    tab.reload()
    wait_jobs(qtbot, window.services)
    return tab


def choose(qtbot, tab: BridgesTab, name: str) -> None:  # type: ignore[no-untyped-def]
    row = tab.model.row_of(name)
    rect = tab.table.visualRect(tab.model.index(row, 0))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.form.existing == name


def bridge_rows(services) -> list[tuple]:  # type: ignore[no-untyped-def]
    with services.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT * FROM bridge ORDER BY id"))]


def sandbox(services, kind: str):  # type: ignore[no-untyped-def]
    return next(box for ams, box in services.endpoints.running if ams.kind == kind)


def click(qtbot, tab: BridgesTab, button: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(tab.buttons[button], Qt.MouseButton.LeftButton)


def test_the_four_demo_bridges_are_listed(qtbot, qtmodeltester, demo_window, demo_services):
    tab = bridges_tab(qtbot, demo_window)
    qtmodeltester.check(tab.model)
    assert [tab.model.data(tab.model.index(r, 0)) for r in range(tab.model.rowCount())] == \
        DEMO_BRIDGES
    kinds = {tab.model.data(tab.model.index(r, 0)): tab.model.data(tab.model.index(r, 1))
             for r in range(4)}
    assert kinds["Demo netFORUM Pro"] == "netFORUM Pro" and kinds["Demo iDSS"] == "iDSS"
    # the demo's credential store is a session one: the tab says where the secret is
    assert {tab.model.data(tab.model.index(r, SECRET_COLUMN)) for r in range(4)} == \
        {"Stored for this session only"}
    notice = tab.findChild(type(tab.outcome), "keyringNotice")
    assert notice is not None and notice.text() == demo_services.credentials.notice


def test_the_form_shows_the_fields_of_the_bridges_kind(qtbot, demo_window, demo_services):
    tab = bridges_tab(qtbot, demo_window)
    choose(qtbot, tab, "Demo iMIS")
    form = tab.form
    assert set(form.endpoint_edits) == {"connection_string", "site_url", "username",
                                        "page_size", "ud_table", "ud_table_prefix", "timeout_s"}
    assert form.endpoint_edits["site_url"].text() == sandbox(demo_services, "imis").site_url
    assert form.members_box.isVisibleTo(tab) and form.accepted.text() == "A,AF"
    assert form.secret_name_label.text() == "Password"
    assert tab.buttons["interests"].isVisibleTo(tab)
    choose(qtbot, tab, "Demo iDSS")
    assert set(form.endpoint_edits) == {"site_url", "page_size", "timeout_s"}
    assert form.secret_name_label.text() == "API key"
    assert not form.members_box.isVisibleTo(tab) and not tab.buttons["interests"].isVisibleTo(tab)
    choose(qtbot, tab, "Demo Personify360")
    assert "member_join" in form.endpoint_edits and "username" in form.endpoint_edits


def test_a_malformed_url_is_one_sentence_and_nothing_is_saved(qtbot, demo_window, demo_services):
    tab = bridges_tab(qtbot, demo_window)
    before = bridge_rows(demo_services)
    choose(qtbot, tab, "Demo iDSS")
    site = tab.form.endpoint_edits["site_url"]
    site.clear()
    qtbot.keyClicks(site, "idss.example.org/api")
    click(qtbot, tab, "save")
    sentence = ("The iDSS site URL must be a web address starting with http:// or https://, "
                "e.g. https://assoc.idss.example.")
    assert tab.outcome.text() == sentence and tab.outcome.isVisible()
    assert demo_window.message_bar.text == sentence and demo_window.message_bar.level == "error"
    tab.new_bridge()
    qtbot.keyClicks(tab.form.name, "Broken Personify")
    tab.form.kind.setCurrentIndex(tab.form.kind.findData("personify"))
    qtbot.keyClicks(tab.form.endpoint_edits["site_url"], "ftp://personify.example.org")
    qtbot.keyClicks(tab.form.endpoint_edits["username"], "pds")
    qtbot.keyClicks(tab.form.secret, "never-kept")
    click(qtbot, tab, "save")
    assert tab.outcome.text().startswith("The Personify site URL must be a web address")
    assert bridge_rows(demo_services) == before
    assert demo_services.credentials.get("bridge:personify:Broken Personify") is None


def test_the_password_goes_to_the_keyring_and_nowhere_in_the_mirror(qtbot, demo_window,
                                                                    demo_services):
    tab = bridges_tab(qtbot, demo_window)
    secret = "s3cret-Api-Key-7Q2x"
    click(qtbot, tab, "new")
    qtbot.keyClicks(tab.form.name, "Second iDSS")
    tab.form.kind.setCurrentIndex(tab.form.kind.findData("idss"))
    qtbot.keyClicks(tab.form.endpoint_edits["site_url"], sandbox(demo_services, "idss").site_url)
    qtbot.keyClicks(tab.form.secret, secret)
    assert tab.form.secret.echoMode() == tab.form.secret.EchoMode.Password
    click(qtbot, tab, "save")
    wait_jobs(qtbot, demo_services)
    assert demo_services.credentials.get("bridge:idss:Second iDSS").reveal() == secret
    assert tab.form.existing == "Second iDSS" and tab.form.secret.text() == ""
    assert tab.form.secret_state.text() == "Stored for this session only"
    assert "Second iDSS" in [b.name for b in tab.model.bridges]
    mirror = Path(demo_services.mirror)
    for path in mirror.parent.glob(mirror.name + "*"):  # the file, its WAL and shared memory
        assert secret.encode() not in path.read_bytes(), path
    assert secret not in demo_window.message_bar.text and secret not in tab.outcome.text()
    click(qtbot, tab, "test")  # the stored key is the one sent: not the sandbox's, refused
    wait_jobs(qtbot, demo_services)
    assert demo_window.message_bar.level == "error", demo_window.message_bar.text
    assert "API key" in demo_window.message_bar.text
    assert secret not in demo_window.message_bar.text


def test_test_connection_succeeds_and_a_failing_endpoint_is_one_clear_error(
        qtbot, demo_window, demo_services):
    tab = bridges_tab(qtbot, demo_window)
    choose(qtbot, tab, "Demo Personify360")
    click(qtbot, tab, "test")
    wait_jobs(qtbot, demo_services)
    assert demo_window.message_bar.level == "info"
    answered = tab.outcome.text()
    assert answered and "Personify" in answered
    box = sandbox(demo_services, "personify")
    box.set_fault("refuse")
    try:
        click(qtbot, tab, "test")
        wait_jobs(qtbot, demo_services)
    finally:
        box.set_fault(None)
    error = demo_window.message_bar.text
    assert demo_window.message_bar.level == "error" and tab.outcome.text() == error
    assert error != answered and "\n" not in error and "Traceback" not in error
    assert error.endswith(".")


def test_test_connection_needs_a_saved_bridge(qtbot, demo_window, demo_services):
    tab = bridges_tab(qtbot, demo_window)
    click(qtbot, tab, "new")
    assert not tab.buttons["test"].isEnabled() and not tab.buttons["refresh"].isEnabled()
    choose(qtbot, tab, "Demo iDSS")
    qtbot.keyClicks(tab.form.endpoint_edits["page_size"], "0")
    click(qtbot, tab, "test")
    assert tab.outcome.text().startswith("Save your changes before you test its connection")
    assert not demo_services.jobs.running


def test_refresh_target_group_list(qtbot, demo_window, demo_services):
    tab = bridges_tab(qtbot, demo_window)
    query = text("SELECT last_list_refresh_at FROM bridge WHERE name = 'Demo netFORUM Pro'")
    with demo_services.engine.connect() as conn:
        before = conn.scalar(query)
    choose(qtbot, tab, "Demo netFORUM Pro")
    with qtbot.waitSignal(demo_services.events.changed, timeout=60_000):
        click(qtbot, tab, "refresh")
    wait_jobs(qtbot, demo_services)
    with demo_services.engine.connect() as conn:
        after = conn.scalar(query)
    assert after is not None and after != before
    assert demo_window.message_bar.level == "info"


@pytest.mark.parametrize("answer", [QDialog.DialogCode.Accepted, QDialog.DialogCode.Rejected])
def test_remote_interests_are_ticked_and_saved_on_the_bridge(qtbot, qtmodeltester, demo_window,
                                                            demo_services, answer):
    """Seed 004: the admin chooses which UD checkbox fields become remote interests."""
    tab = bridges_tab(qtbot, demo_window)
    choose(qtbot, tab, "Demo iMIS")
    click(qtbot, tab, "interests")
    wait_jobs(qtbot, demo_services)
    dialog = tab.interests_dialog
    qtmodeltester.check(dialog.fields.model())
    assert dialog.isVisible() and dialog.fields.count() > 0
    first = dialog.fields.item(0)
    first.setCheckState(Qt.CheckState.Checked)
    dialog.done(answer)
    wait_jobs(qtbot, demo_services)
    with demo_services.engine.connect() as conn:
        settings = conn.scalar(text("SELECT settings FROM bridge WHERE name = 'Demo iMIS'"))
    chosen = json.loads(settings) if isinstance(settings, str) else settings
    if answer == QDialog.DialogCode.Accepted:
        assert chosen["remote_interests"] == [first.text()]
        assert first.text() in tab.form.interests.text()
    else:
        assert not chosen.get("remote_interests")


def test_imis_member_rules_are_saved_with_the_bridge(qtbot, demo_window, demo_services):
    """Seed 000: the accepted statuses and where the email comes from ("Name.Email or
    Name_Address.Email+Purpose and Preferred status")."""
    tab = bridges_tab(qtbot, demo_window)
    choose(qtbot, tab, "Demo iMIS")
    form = tab.form
    form.accepted.clear()
    qtbot.keyClicks(form.accepted, "A, af ,A*")
    form.email_source.setCurrentIndex(form.email_source.findData("address"))
    click(qtbot, tab, "save")
    assert tab.outcome.text().startswith("Enter the Name_Address PURPOSE")
    qtbot.keyClicks(form.purpose, "Work")
    click(qtbot, tab, "save")
    wait_jobs(qtbot, demo_services)
    with demo_services.engine.connect() as conn:
        saved = conn.execute(text("SELECT accepted_statuses, email_source FROM bridge "
                                  "WHERE name = 'Demo iMIS'")).one()
    assert tuple(saved) == ("A,AF,A*", "address:Work")
    assert form.accepted.text() == "A,AF,A*" and form.purpose.text() == "Work"
    assert demo_window.message_bar.text == "Bridge 'Demo iMIS' saved."
