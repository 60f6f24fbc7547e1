"""The iDSS sandbox: a deterministic, realistically messy contact database behind the iDSS REST
JSON API (DOMAIN.md, iDSS), a change feed that every save appends to, a PATCH that only takes the
informz code (seed 002: sync is one-way), and fault switches."""

from __future__ import annotations

import sqlite3

import httpx
import pytest
from idss_fixtures import MEMBERS, idss, idss_shared, idss_template  # noqa: F401

from informz_console.sandbox.idss import (
    BOARD_LIST,
    DB_NAME,
    EVERYONE_LIST,
    LISTS,
    IdssSandbox,
    RecordedPatch,
)
from informz_console.sandbox.idss_data import generate

TABLES = ("contacts", "distribution_lists", "list_contacts", "changes")


def dump(path, table: str) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()


def scalar(sandbox: IdssSandbox, sql: str, params: tuple = ()):
    return sandbox.execute(sql, params)[0][0]


def member_ids(sandbox: IdssSandbox, list_id: int) -> list[int]:
    rows = sandbox.execute(
        "SELECT contact_id FROM list_contacts WHERE list_id = ? ORDER BY contact_id", (list_id,)
    )
    return [i for (i,) in rows]


@pytest.fixture
def api(idss_shared):  # noqa: F811
    with httpx.Client(
        base_url=idss_shared.api_url, headers={"X-Api-Key": idss_shared.api_key}, timeout=10
    ) as client:
        yield client


def client_for(sandbox: IdssSandbox) -> httpx.Client:
    return httpx.Client(
        base_url=sandbox.api_url, headers={"X-Api-Key": sandbox.api_key}, timeout=10
    )


def all_contacts(client: httpx.Client, list_id: int, **params) -> tuple[list[dict], int]:
    contacts, pages, cursor = [], 0, None
    while True:
        query = dict(params, **({"cursor": cursor} if cursor else {}))
        body = client.get(f"/distribution-lists/{list_id}/contacts", params=query).json()
        contacts += body["contacts"]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            return contacts, pages


# -- the database ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_data_and_another_seed_does_not(tmp_path):
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate(tmp_path / f"{name}.db", members=300, seed=seed)
    for table in TABLES:
        assert dump(tmp_path / "a.db", table) == dump(tmp_path / "b.db", table), table
    assert dump(tmp_path / "a.db", "contacts") != dump(tmp_path / "c.db", "contacts")


def test_the_mess_of_a_real_contact_database_is_there(idss_shared):  # noqa: F811
    sb = idss_shared

    def share(where: str) -> float:
        return scalar(sb, f"SELECT COUNT(*) FROM contacts WHERE {where}") / MEMBERS

    assert scalar(sb, "SELECT COUNT(*) FROM contacts") == MEMBERS
    assert 0.03 < share("active = 0") < 0.10  # deactivated (seed 002)
    assert 0.02 < share("email IS NULL OR email = ''") < 0.07  # missing
    assert share("email IS NULL") > 0
    assert share("email <> '' AND email NOT LIKE '%@%'") > 0.002  # invalid: no @
    assert share("TRIM(email) LIKE '% %'") > 0  # invalid: a space inside
    assert share("email LIKE '%@@%'") > 0  # fixable: x@@y.org
    assert share("email <> TRIM(email)") > 0  # fixable: surrounding spaces
    assert share("email LIKE '%.'") > 0  # fixable: trailing dot
    assert share("informz_code IS NOT NULL") == 0  # null until written back (seed 002)
    # seed 002 "Duplicate": contacts sharing an email, exactly or in another case
    exact = scalar(sb, "SELECT COUNT(*) FROM (SELECT email FROM contacts WHERE email LIKE '%@%'"
                       " GROUP BY email HAVING COUNT(*) > 1)")  # fmt: skip
    folded = scalar(sb, "SELECT COUNT(*) FROM (SELECT LOWER(email) FROM contacts WHERE email"
                        " LIKE '%@%' GROUP BY LOWER(email) HAVING COUNT(*) > 1)")  # fmt: skip
    assert 0 < exact < folded < 0.05 * MEMBERS
    assert share("first_name GLOB '*[^ -~]*'") > 0  # some unicode names


def test_six_lists_one_with_everyone_and_counts_kept_by_triggers(idss):  # noqa: F811
    counts = dict(idss.execute("SELECT id, contact_count FROM distribution_lists"))
    assert set(counts) == {spec.id for spec in LISTS} and len(counts) == 6
    assert counts[EVERYONE_LIST] == MEMBERS
    assert counts[BOARD_LIST] == 15
    for list_id, count in counts.items():
        assert count == len(member_ids(idss, list_id)), list_id
    assert 0.5 * MEMBERS < counts[2] < 0.7 * MEMBERS
    idss.change_contact(500001, remove_lists=[EVERYONE_LIST])
    new = idss.add_contact("new@example.org", lists=[EVERYONE_LIST, BOARD_LIST])
    counts = dict(idss.execute("SELECT id, contact_count FROM distribution_lists"))
    assert counts[EVERYONE_LIST] == MEMBERS and counts[BOARD_LIST] == 16
    assert new in member_ids(idss, BOARD_LIST)


def test_the_change_feed_starts_with_some_history(idss_shared):  # noqa: F811
    kinds = dict(idss_shared.execute("SELECT kind, COUNT(*) FROM changes GROUP BY kind"))
    deactivated = scalar(idss_shared, "SELECT COUNT(*) FROM contacts WHERE active = 0")
    assert kinds == {"created": MEMBERS // 100, "deactivated": deactivated}


def test_open_and_site_url_explain_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="No iDSS sandbox database"):
        IdssSandbox.open(tmp_path)
    sandbox = IdssSandbox.create(tmp_path, members=10)
    assert (tmp_path / DB_NAME).is_file() and sandbox.stats.contacts == 10
    with pytest.raises(RuntimeError, match="not running"):
        sandbox.site_url  # noqa: B018


# -- the API key -------------------------------------------------------------------------------


def test_every_api_call_needs_the_api_key(idss_shared):  # noqa: F811
    url = idss_shared.api_url + "/distribution-lists"
    with httpx.Client(timeout=10) as client:
        for headers in ({}, {"X-Api-Key": "wrong"}, {"Authorization": idss_shared.api_key}):
            response = client.get(url, headers=headers)
            assert response.status_code == 401
            assert "API key" in response.json()["error"]
        assert client.patch(
            idss_shared.api_url + "/contacts/500001", json={"informz_code": "X"}
        ).status_code == 401  # fmt: skip
        assert client.get(url, headers={"X-Api-Key": idss_shared.api_key}).status_code == 200
        assert client.get(idss_shared.site_url + "/api/v2/x").status_code == 404


# -- distribution lists and contacts -----------------------------------------------------------


def test_distribution_lists_say_name_folder_dates_and_count(api):
    lists = api.get("/distribution-lists").json()["distribution_lists"]
    assert [item["id"] for item in lists] == [1, 2, 3, 4, 5, 6]
    everyone = lists[0]
    assert everyone == {
        "id": EVERYONE_LIST,
        "name": "All Contacts",
        "folder": None,
        "created": "2015-01-05T09:00:00Z",
        "modified": "2025-06-30T07:00:00Z",
        "contact_count": MEMBERS,
    }
    assert {item["folder"] for item in lists} == {None, "Membership", "Communications",
                                                  "Events", "Governance"}  # fmt: skip


def test_contacts_are_cursor_paged_in_id_order(idss_shared, api):  # noqa: F811
    for list_id in (EVERYONE_LIST, 3, BOARD_LIST):
        contacts, pages = all_contacts(api, list_id, limit=97)
        expected = member_ids(idss_shared, list_id)
        assert [c["id"] for c in contacts] == expected
        assert pages == max(1, -(-len(expected) // 97))
    first = api.get(f"/distribution-lists/{BOARD_LIST}/contacts", params={"limit": 7}).json()
    assert first["total"] == 15 and len(first["contacts"]) == 7 and first["next_cursor"]
    assert set(first["contacts"][0]) == {"id", "email", "first_name", "last_name", "company",
                                         "active", "informz_code", "modified"}  # fmt: skip


def test_the_json_written_by_sqlite_is_the_contact_the_api_shows(idss_shared, api):  # noqa: F811
    contacts, _ = all_contacts(api, EVERYONE_LIST, limit=1000)
    for contact in contacts[:: MEMBERS // 50] + [c for c in contacts if not c["active"]][:5]:
        assert contact == idss_shared.contact(contact["id"])
    assert any(c["email"] is None for c in contacts) and any(c["email"] == "" for c in contacts)
    assert any(c["company"] is None for c in contacts)


def test_limit_defaults_to_100_and_is_capped_at_1000(api):
    assert len(api.get("/distribution-lists/1/contacts").json()["contacts"]) == 100
    assert len(api.get("/distribution-lists/1/contacts?limit=5000").json()["contacts"]) == 1000
    for bad in ("0", "-3", "ten"):
        response = api.get(f"/distribution-lists/1/contacts?limit={bad}")
        assert response.status_code == 400 and "limit" in response.json()["error"]


def test_a_cursor_only_works_for_its_own_list(api):
    board = api.get(f"/distribution-lists/{BOARD_LIST}/contacts?limit=2").json()
    for cursor in (board["next_cursor"], "not-a-cursor", "%%%"):
        response = api.get("/distribution-lists/1/contacts", params={"cursor": cursor})
        assert response.status_code == 400 and "cursor" in response.json()["error"]


def test_unknown_list_or_route_is_404(api):
    for path in ("/distribution-lists/99/contacts", "/distribution-lists/x/contacts", "/lists"):
        response = api.get(path)
        assert response.status_code == 404 and response.json()["error"]
    assert api.post("/distribution-lists").status_code == 405


def test_deactivated_contacts_stay_on_their_lists(idss_shared, api):  # noqa: F811
    contacts, _ = all_contacts(api, EVERYONE_LIST, limit=1000)
    inactive = [c["id"] for c in contacts if not c["active"]]
    assert inactive and len(inactive) == scalar(
        idss_shared, "SELECT COUNT(*) FROM contacts WHERE active = 0"
    )


def test_pages_reflect_changes_committed_after_earlier_pages(idss):  # noqa: F811
    with client_for(idss) as client:
        first = client.get("/distribution-lists/1/contacts?limit=10").json()
        idss.change_contact(first["contacts"][0]["id"], active=False)
        last = idss.add_contact("late@example.org")
        contacts, _ = all_contacts(client, EVERYONE_LIST, limit=500)
    assert contacts[0]["active"] is False
    assert contacts[-1]["id"] == last and len(contacts) == MEMBERS + 1


# -- the change feed ---------------------------------------------------------------------------


def test_the_change_feed_pages_by_seq(idss_shared, api):  # noqa: F811
    latest = idss_shared.latest_seq()
    seen, since = [], 0
    while True:
        body = api.get("/changes", params={"since": since, "limit": 7}).json()
        assert body["latest_seq"] == latest
        seen += body["changes"]
        assert body["next_since"] == (body["changes"][-1]["seq"] if body["changes"] else since)
        since = body["next_since"]
        if not body["has_more"]:
            break
    assert [c["seq"] for c in seen] == list(range(1, latest + 1))
    deactivated = next(c for c in seen if c["kind"] == "deactivated")
    assert deactivated["contact"]["active"] is False
    assert deactivated["contact_id"] == deactivated["contact"]["id"]
    assert EVERYONE_LIST in deactivated["list_ids"]
    head = api.get("/changes", params={"limit": 0}).json()
    assert head == {"changes": [], "next_since": 0, "latest_seq": latest, "has_more": True}
    tail = api.get("/changes", params={"since": latest}).json()
    assert tail == {"changes": [], "next_since": latest, "latest_seq": latest, "has_more": False}


def test_a_save_appends_its_changes_to_the_feed(idss):  # noqa: F811
    # seed 002: "Any changes made in customer records or to distribution lists also sync"
    contact = member_ids(idss, 3)[0]
    before = idss.contact(contact)
    start = idss.latest_seq()
    seqs = idss.change_contact(contact, email="moved@example.org", active=False,
                               add_lists=[5], remove_lists=[3])  # fmt: skip
    assert seqs == [start + 1, start + 2, start + 3, start + 4]
    with client_for(idss) as client:
        body = client.get("/changes", params={"since": start}).json()
    kinds = [(c["kind"], c["list_ids"]) for c in body["changes"]]
    lists_before = sorted({EVERYONE_LIST, 3} | set(body["changes"][0]["list_ids"]))
    assert kinds == [
        ("updated", lists_before),
        ("deactivated", lists_before),
        ("list_removed", [3]),
        ("list_added", [5]),
    ]
    assert body["changes"][0]["old_email"] == before["email"]
    assert all("old_email" not in c for c in body["changes"][1:])
    assert all(c["contact"]["email"] == "moved@example.org" for c in body["changes"])
    assert 5 in [lst for (lst,) in idss.execute(
        "SELECT list_id FROM list_contacts WHERE contact_id = ?", (contact,))]  # fmt: skip
    assert idss.change_contact(contact, email="moved@example.org") == []  # nothing changed
    assert idss.change_contact(contact, active=True) == [start + 5]  # reactivated: 'updated'
    with pytest.raises(KeyError):
        idss.change_contact(1, email="x@example.org")
    with pytest.raises(KeyError):
        idss.change_contact(contact, add_lists=[99])


def test_new_contacts_and_rechecking_a_list(idss):  # noqa: F811
    new = idss.add_contact("fresh@example.org", first_name="Fresh", lists=[EVERYONE_LIST, 4])
    # seed 002: "Uncheck the distribution list ... Recheck the distribution list ... forces a
    # resync"
    seqs = idss.recheck_list(new, 4)
    rows = idss.execute("SELECT seq, kind, list_ids FROM changes WHERE contact_id = ? ORDER BY seq",
                        (new,))  # fmt: skip
    assert [(kind, lists) for _, kind, lists in rows] == [
        ("created", "[1, 4]"),
        ("list_removed", "[4]"),
        ("list_added", "[4]"),
    ]
    assert seqs == [seq for seq, _, _ in rows[1:]]
    assert idss.contact(new)["first_name"] == "Fresh"


# -- PATCH: only the informz code (seed 002) ---------------------------------------------------


def test_patch_sets_the_informz_code_and_is_recorded(idss):  # noqa: F811
    start = idss.latest_seq()
    before = idss.contact(500001)
    with client_for(idss) as client:
        response = client.patch("/contacts/500001", json={"informz_code": "IZ-1001"})
    assert response.status_code == 200
    assert response.json() == {**before, "informz_code": "IZ-1001"}
    assert idss.contact(500001)["informz_code"] == "IZ-1001"
    assert idss.latest_seq() == start  # the platform's own write is not a change of the contact
    assert idss.patches() == [
        RecordedPatch("PATCH", "/api/v1/contacts/500001", '{"informz_code":"IZ-1001"}', 200, None)
    ]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"email": "x@example.org"}, "Only informz_code can be changed"),
        ({"informz_code": "IZ", "active": False}, "active is managed in iDSS"),
        ({"first_name": "A", "last_name": "B"}, "first_name, last_name are managed"),
        ({"informz_code": ""}, "non-empty string"),
        ({"informz_code": 42}, "non-empty string"),
        ({"informz_code": "x" * 65}, "at most 64"),
        ([1, 2], "JSON object"),
    ],
)
def test_patch_of_anything_but_the_informz_code_is_refused(idss, body, error):  # noqa: F811
    # seed 002: "this is a one-way street, and changes in Informz do not update iDSS!"
    before = idss.contact(500001)
    with client_for(idss) as client:
        response = client.patch("/contacts/500001", json=body)
    assert response.status_code == 400 and error in response.json()["error"]
    assert idss.contact(500001) == before
    (recorded,) = idss.patches()
    assert recorded.status == 400 and error in recorded.error
    assert recorded.path == "/api/v1/contacts/500001"


def test_patch_of_an_unknown_contact_is_404(idss):  # noqa: F811
    with client_for(idss) as client:
        for contact in ("1", "abc"):
            response = client.patch(f"/contacts/{contact}", json={"informz_code": "IZ"})
            assert response.status_code == 404 and contact in response.json()["error"]
        assert client.delete("/contacts/500001").status_code == 405  # PATCH and GET only
        contact = client.get("/contacts/500001").json()
        assert contact["id"] == 500001 and contact["lists"]  # a console's contact resync
        assert client.get("/contacts/1").status_code == 404


def test_one_contact_can_be_made_to_fail_with_a_system_error(idss):  # noqa: F811
    # seed 002: "Informz SoftOps can check the XML call and system error"
    one, two, three = member_ids(idss, EVERYONE_LIST)[:3]
    idss.fail_patch(two, "Cannot insert duplicate key row (SQL error 2601).")
    idss.fail_patch(three, "Contact is locked by another user.", status=409)
    with client_for(idss) as client:
        failed = client.patch(f"/contacts/{two}", json={"informz_code": "IZ-2"})
        locked = client.patch(f"/contacts/{three}", json={"informz_code": "IZ-3"})
        fine = client.patch(f"/contacts/{one}", json={"informz_code": "IZ-1"})
        idss.fail_patch(two, None)
        healed = client.patch(f"/contacts/{two}", json={"informz_code": "IZ-2"})
    assert failed.status_code == 500
    assert failed.json() == {"error": "Cannot insert duplicate key row (SQL error 2601)."}
    assert locked.status_code == 409 and fine.status_code == 200 and healed.status_code == 200
    assert [(p.path, p.status) for p in idss.patches()] == [
        (f"/api/v1/contacts/{two}", 500),
        (f"/api/v1/contacts/{three}", 409),
        (f"/api/v1/contacts/{one}", 200),
        (f"/api/v1/contacts/{two}", 200),
    ]
    assert idss.contact(three)["informz_code"] is None


# -- faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["refuse", "garbage", "slow", "drop"])
def test_fault_modes(idss, mode):  # noqa: F811
    with client_for(idss) as client:
        idss.set_fault(mode, slow_s=2.0)
        if mode == "refuse":
            assert client.get("/distribution-lists").status_code == 503
        elif mode == "garbage":
            response = client.get("/distribution-lists")
            assert response.status_code == 200
            with pytest.raises(ValueError):
                response.json()
        elif mode == "slow":
            with pytest.raises(httpx.ReadTimeout):
                client.get("/distribution-lists", timeout=0.2)
        else:
            with pytest.raises(httpx.RemoteProtocolError):
                client.get("/distribution-lists")
        assert idss.fail_mode == mode
        idss.fail_mode = None
        assert client.get("/distribution-lists").status_code == 200


def test_a_fault_can_start_after_some_good_requests(idss):  # noqa: F811
    with client_for(idss) as client:
        idss.set_fault("refuse", after_requests=2)
        codes = [client.get("/changes").status_code for _ in range(3)]
    assert codes == [200, 200, 503]
    with pytest.raises(ValueError, match="Unknown fail mode"):
        idss.set_fault("explode")


def test_stop_really_takes_the_server_down(idss):  # noqa: F811
    with client_for(idss) as client:
        assert client.get("/changes").status_code == 200  # a keep-alive connection is now open
        idss.stop()
        with pytest.raises(httpx.TransportError):
            client.get("/changes")
