"""The IPM preference form (seed 004_599129284d20afe1.txt) over real HTTP: the console's local
web server, the iMIS sandbox's UD tables over ODBC, Activity rows through the outbox."""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys

import httpx
import keyring.backend
import pytest
from imis_fixtures import imis, imis_template  # noqa: F401
from mirror_helpers import rows
from writeback_helpers import activities, add_subscriber, imis_bridge, members

from informz_console.cli import cmd_preferences
from informz_console.cli.context import CliContext
from informz_console.sync.credentials import CredentialStore
from informz_console.sync.preferences import make_link, mask_email
from informz_console.sync.preferences_server import PreferenceServer
from informz_console.user_settings import UserSettings

EMAIL = "Grace.Hopper@example.org"
BOTH = "ID IN (SELECT ID FROM Informz_Topics)"
NO_TOPICS = "ID NOT IN (SELECT ID FROM Informz_Topics)"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A secure-looking keyring that lives in this test (the OS keyring is not touched)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def form(mirror, credentials, clock, imis):  # noqa: F811
    """A subscriber of a member with rows in both UD tables, and the server on 127.0.0.1."""
    bridge_id = imis_bridge(mirror, credentials, clock, imis)
    (ams_id,) = members(imis, 1, BOTH)
    add_subscriber(mirror, clock.now(), {bridge_id: ams_id}, EMAIL, first="Grace",
                   last="Hopper")  # fmt: skip
    server = PreferenceServer(mirror, credentials, clock).start()
    yield server, ams_id
    server.stop()


def _link(mirror, credentials, clock, server, email: str = EMAIL, hours: float = 72) -> str:  # type: ignore[no-untyped-def]
    return make_link(mirror, credentials, clock, email, "iMIS", server.url, hours,
                     lasting=False)  # fmt: skip


def _ud(imis, ams_id: str) -> tuple:  # noqa: F811
    return imis.execute("SELECT p.NEWSLETTER, p.EVENTS, t.WEBINARS FROM Informz_Preferences p "
                        "LEFT JOIN Informz_Topics t ON t.ID = p.ID WHERE p.ID = ?",
                        (ams_id,))[0]  # fmt: skip


def _token(url: str) -> str:
    return httpx.URL(url).params["t"]


def test_the_form_shows_whose_preferences_and_their_boxes(form, mirror, credentials, clock,
                                                          imis):  # noqa: F811  # fmt: skip
    """Seed 004: a forwarded link changes the original subscriber's preferences, so the form
    says whose they are; the chosen UD checkboxes are shown as they are in iMIS."""
    server, ams_id = form
    page = httpx.get(_link(mirror, credentials, clock, server))
    assert page.status_code == 200
    assert "Email preferences of Grace Hopper" in page.text
    assert "Grace Hopper (G***@example.org)" in page.text and EMAIL not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    newsletter, events, webinars = _ud(imis, ams_id)
    for key, value in (("Informz_Preferences.NEWSLETTER", newsletter),
                       ("Informz_Preferences.EVENTS", events),
                       ("Informz_Topics.WEBINARS", webinars)):  # fmt: skip
        box = f'value="{key}"' + (" checked" if value else "")
        assert box + ">" in page.text or box + " " in page.text, key
    assert "ADVOCACY" not in page.text  # not chosen by the admin


def test_a_submitted_form_updates_the_ud_rows_and_writes_activity(form, mirror, credentials,
                                                                  clock, imis):  # noqa: F811  # fmt: skip
    """Seed 004: "Informz will update the status of the user-defined field" and "the Date,
    Type, and Product Code for any change that occurred from a data input form change"."""
    server, ams_id = form
    imis.execute("UPDATE Informz_Preferences SET NEWSLETTER = 0, EVENTS = 1 WHERE ID = ?",
                 (ams_id,))  # fmt: skip
    imis.execute("UPDATE Informz_Topics SET WEBINARS = 0 WHERE ID = ?", (ams_id,))
    token = _token(_link(mirror, credentials, clock, server))
    answer = httpx.post(f"{server.url}/preferences", data={
        "t": token, "interest": ["Informz_Preferences.NEWSLETTER", "Informz_Preferences.EVENTS"]})
    assert answer.status_code == 200, answer.text
    assert "Saved: 1 choice(s) changed." in answer.text
    assert _ud(imis, ams_id) == (1, 1, 0)
    (row,) = activities(imis, ams_id)
    assert row[:5] == (ams_id, "iOPTOUT", "NEWSLETTER", "Informz_Preferences.NEWSLETTER",
                       "checked")  # fmt: skip
    date = imis.execute("SELECT TRANSACTION_DATE FROM Activity WHERE ID = ? AND UF_3 = ?",
                        (ams_id, row[5]))[0][0]  # fmt: skip
    assert str(date).startswith("2026-11-02 14:00")
    assert rows(mirror, "SELECT type, state FROM writeback") == [("iINTEREST", "sent")]

    again = httpx.post(f"{server.url}/preferences", data={"t": token})  # every box unticked
    assert "Saved: 2 choice(s) changed." in again.text
    assert _ud(imis, ams_id) == (0, 0, 0)
    assert [(r[2], r[4]) for r in activities(imis, ams_id)] == [
        ("NEWSLETTER", "checked"), ("NEWSLETTER", "unchecked"), ("EVENTS", "unchecked")]


def _forged(token: str, **changes) -> str:  # type: ignore[no-untyped-def]
    body, _, signature = token.partition(".")
    fields = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    for index, value in changes.items():
        fields[int(index[1:])] = value
    forged = base64.urlsafe_b64encode(json.dumps(fields).encode()).rstrip(b"=").decode()
    return f"{forged}.{signature}"


def test_a_tampered_or_expired_link_is_refused(form, mirror, credentials, clock, imis):  # noqa: F811
    """Seed 004 forwarded-mail risk: the token is bound to its subscriber and expires."""
    server, ams_id = form
    before = _ud(imis, ams_id)
    token = _token(_link(mirror, credentials, clock, server, hours=2))
    for bad in (_forged(token, i2=1), _forged(token, i4=4102444800), token[:-3], "nonsense", ""):
        page = httpx.get(f"{server.url}/preferences", params={"t": bad})
        assert page.status_code == 403
        assert "This preference link is not valid: it was changed or cut short." in page.text
        post = httpx.post(f"{server.url}/preferences", data={"t": bad, "interest": []})
        assert post.status_code == 403
    clock.advance(hours=2, seconds=-1)
    assert httpx.get(f"{server.url}/preferences", params={"t": token}).status_code == 200
    clock.advance(seconds=1)
    page = httpx.get(f"{server.url}/preferences", params={"t": token})
    assert page.status_code == 403
    assert "This preference link has expired; ask for a new one." in page.text
    assert _ud(imis, ams_id) == before and activities(imis, ams_id) == []


def test_a_missing_ud_row_is_reported_never_created(mirror, credentials, clock, imis):  # noqa: F811
    """Seed 004: "ensure that user-defined table contains records for all iMIS IDs (if not, the
    checkboxes cannot be updated). Note that iMIS will not create the records"."""
    bridge_id = imis_bridge(mirror, credentials, clock, imis)
    (ams_id,) = members(imis, 1, NO_TOPICS)
    add_subscriber(mirror, clock.now(), {bridge_id: ams_id}, EMAIL)
    topics = imis.execute("SELECT COUNT(*) FROM Informz_Topics")[0][0]
    before = _ud(imis, ams_id)
    server = PreferenceServer(mirror, credentials, clock).start()
    try:
        link = _link(mirror, credentials, clock, server)
        page = httpx.get(link)
        assert page.status_code == 200
        assert "iMIS has no Informz_Topics row for this subscriber" in page.text
        assert 'value="Informz_Topics.WEBINARS" disabled' in page.text
        answer = httpx.post(f"{server.url}/preferences", data={
            "t": _token(link), "interest": ["Informz_Topics.WEBINARS"]})  # a crafted tick
    finally:
        server.stop()
    assert answer.status_code == 409
    assert f"iMIS ID {ams_id} has no row in the UD table Informz_Topics" in answer.text
    assert imis.execute("SELECT COUNT(*) FROM Informz_Topics")[0][0] == topics
    assert _ud(imis, ams_id) == before  # nothing else changed either
    assert activities(imis, ams_id) == [] and rows(mirror, "SELECT COUNT(*) FROM writeback") == [
        (0,)]


def test_other_paths_and_empty_posts_are_one_sentence(form):
    server, _ = form
    assert httpx.get(f"{server.url}/admin").status_code == 404
    empty = httpx.post(f"{server.url}/preferences", content=b"")
    assert empty.status_code == 400 and "open the link again" in empty.text


def test_mask_email():
    assert mask_email("ann@example.org") == "a***@example.org"
    assert mask_email("not-an-email") == "***"


class Ctx(CliContext):
    def __init__(self, engine, clock, credentials) -> None:  # type: ignore[no-untyped-def]
        super().__init__(None, False, clock=clock, credentials=credentials,
                         settings=UserSettings())  # fmt: skip
        self.__dict__["engine"] = engine

    def close(self) -> None:
        pass


def test_preferences_link_signs_with_a_key_kept_in_the_keyring(mirror, credentials, clock, imis,  # noqa: F811
                                                               capsys):  # fmt: skip
    """The link's key is in the keyring, never in the mirror; the printed link opens the form."""
    bridge_id = imis_bridge(mirror, credentials, clock, imis)
    (ams_id,) = members(imis, 1, BOTH)
    add_subscriber(mirror, clock.now(), {bridge_id: ams_id}, EMAIL, first="Grace", last="Hopper")
    secure = CredentialStore(MemoryKeyring())
    secure.set("bridge:imis:iMIS", imis.password)
    root = argparse.ArgumentParser()
    cmd_preferences.register(root.add_subparsers(dest="command"))
    args = root.parse_args(["preferences", "link", EMAIL.lower(), "--bridge", "imis", "--hours",
                            "24", "--base-url", "http://127.0.0.1:1"])  # fmt: skip
    assert args.run(Ctx(mirror, clock, secure), args) == 0
    url = capsys.readouterr().out.strip()
    assert url.startswith("http://127.0.0.1:1/preferences?t=")
    (key_name,) = [n for (_, n) in secure._backend.items if n.startswith("preferences-key:")]  # type: ignore[attr-defined]
    key = secure.get(key_name).reveal()
    dump = dict(rows(mirror, "SELECT name, value FROM setting"))
    assert key not in repr(dump)  # the mirror only names the key: preferences-key:<mirror id>
    assert key_name == f"preferences-key:{dump['mirror_id']}"
    server = PreferenceServer(mirror, secure, clock).start()
    try:
        page = httpx.get(f"{server.url}/preferences", params={"t": _token(url)})
    finally:
        server.stop()
    assert page.status_code == 200 and "Grace Hopper" in page.text


def test_without_a_secure_keyring_the_commands_say_so(tmp_path):
    from informz_console.store.engine import open_engine

    open_engine(tmp_path / "m.sqlite").dispose()
    env = {**os.environ, "INFORMZ_CONSOLE_CONFIG": str(tmp_path / "config"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "informz_console", "--mirror",
                           str(tmp_path / "m.sqlite"), "preferences", "serve", "--port", "0"],
                          capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "No secure keyring is available on this machine, so the preference links' signing key "
        "cannot be kept; set up the system keyring (e.g. Secret Service) and try again.")
