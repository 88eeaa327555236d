"""Okta's look-up and groups page from one prepared statement (scim.reads) answer exactly what
the ORM path answers, and every other filter still goes through the filter parser."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from querypie_admin import directory, prepared_statements
from querypie_admin.models import AuthProvider, DirectoryLink, LinkSource, User
from scim import reads
from tests.factories import okta_group, okta_user

from .conftest import GROUP_SCHEMA, user_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def pushed(scim):
    """What Okta's push leaves: users with their SCIM links (one with a second email and a
    phone), groups with members, a group Okta pushed and a local one, a user no push named."""
    alice = scim.post("/Users", user_body("Alice@corp.example", externalId="00ua")).json()
    body = user_body("bob@corp.example", externalId="00ub", phoneNumbers=[{"value": "+1 555"}])
    body["emails"].append({"value": "bob@home.example", "type": "home"})
    bob = scim.post("/Users", body).json()
    synced = okta_user(LinkSource.OKTA_SYNC, login_id="carol@corp.example")
    members = [{"value": alice["id"]}, {"value": bob["id"]}]
    group = {"schemas": [GROUP_SCHEMA], "displayName": "Engineering", "members": members}
    scim.post("/Groups", {**group, "externalId": "00g1"})
    okta_group(LinkSource.OKTA_SYNC, name="Synced team")
    directory.create_group(directory.Caller.command(), {"name": "Local team"})
    return {"alice": alice, "bob": bob, "carol": synced}


@pytest.fixture
def orm_only(monkeypatch):
    """Answer the same request through the ORM path."""

    def answer(scim, path, **params):
        with monkeypatch.context() as patched:
            patched.setattr(reads, "available", lambda: False)
            return scim.get(path, **params)

    return answer


@pytest.mark.parametrize(
    "filter_query",
    [
        'userName eq "alice@CORP.example"',
        'username EQ "bob@corp.example"',
        '  userName eq "carol@corp.example" ',
        'userName eq "nobody@corp.example"',
    ],
)
@pytest.mark.parametrize(
    "extra", [{}, {"excludedAttributes": "groups"}, {"attributes": "userName"}]
)
def test_the_look_up_answers_what_the_orm_answers(scim, pushed, orm_only, filter_query, extra):
    assert reads.okta_username(filter_query) is not None
    with CaptureQueriesContext(connection) as statements:
        prepared = scim.get("/Users", filter=filter_query, **extra)
    assert any("LATERAL" in q["sql"] for q in statements)  # scim.reads answered it
    assert prepared.status_code == 200
    assert prepared.json() == orm_only(scim, "/Users", filter=filter_query, **extra).json()


def test_the_look_up_renders_links_and_groups(scim, pushed):
    found = scim.get("/Users", filter='userName eq "BOB@corp.example"').json()
    (bob,) = found["Resources"]
    assert found["totalResults"] == 1
    assert bob["externalId"] == "00ub" and bob["phoneNumbers"] == [
        {"value": "+1 555", "type": "mobile"}
    ]
    assert [e["type"] for e in bob["emails"]] == ["work", "home"]  # what Okta sent, echoed
    assert [g["display"] for g in bob["groups"]] == ["Engineering"]


def test_a_local_account_is_not_found_by_the_look_up(scim, pushed):
    directory.create_user(directory.Caller.command(), {"login_id": "local@corp.example"})
    assert scim.get("/Users", filter='userName eq "local@corp.example"').json()["totalResults"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"excludedAttributes": "members"},
        {"startIndex": "2", "count": "1"},
        {"startIndex": "1", "count": "2", "excludedAttributes": "members"},
        {"startIndex": "3", "count": "100"},
        {"startIndex": "40", "count": "10"},  # past the end: the ORM path answers
        {"count": "0"},
    ],
)
def test_a_groups_page_answers_what_the_orm_answers(scim, pushed, orm_only, params):
    prepared = scim.get("/Groups", **params)
    assert prepared.status_code == 200
    assert prepared.json() == orm_only(scim, "/Groups", **params).json()
    assert prepared.json()["totalResults"] == 2  # Okta's groups only, never the local one


@pytest.mark.parametrize(
    "filter_query",
    [
        r'userName eq "a\"b@corp.example"',  # an escape: the parser reads it
        'userName eq "a\x00b"',  # a NUL: refused by the parser (400), not sent to PostgreSQL
        'userName eq "alice@corp.example" and active eq true',
        'userName sw "alice"',
        'emails.value eq "alice@corp.example"',
        "userName eq alice",
        None,
        42,
    ],
)
def test_any_other_filter_goes_through_the_parser(filter_query):
    assert reads.okta_username(filter_query) is None


def test_a_nul_in_the_look_up_is_a_400_not_a_500(scim, pushed):
    response = scim.get("/Users", filter='userName eq "a\x00b"')
    assert response.status_code == 400 and response.json()["scimType"] == "invalidFilter"


@pytest.mark.parametrize(
    "statement,params,start",
    [
        ("user_by_login", ["okta", "scim", "bulk7@corp.example", "okta"], "user_id = u.id"),
        ("groups_page", ["okta", "scim", "okta", 100, 0], "group_id = g.id"),
    ],
)
def test_the_scim_link_is_read_from_the_row_with_stale_statistics(scim, statement, params, start):
    """Okta's push creates the SCIM links while the statistics still say there are none: each
    read must find a row's link from the row (an index on the link's row), never start from
    every SCIM link (a plan from `source = 'scim'` read 9,000 links for one look-up)."""
    users = User.objects.bulk_create(
        User(login_id=f"bulk{i}@corp.example", auth_provider=AuthProvider.OKTA) for i in range(300)
    )
    groups = [okta_group(LinkSource.OKTA_SYNC, name=f"team {i}") for i in range(30)]
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE querypie_admin_user, querypie_admin_group, querypie_admin_directorylink"
        )
    DirectoryLink.objects.bulk_create(  # after ANALYZE: the statistics know no SCIM link
        [DirectoryLink(source=LinkSource.SCIM, user=u, external_id=f"00u{u.pk}") for u in users]
        + [DirectoryLink(source=LinkSource.SCIM, group=g, external_id=f"00g{g.pk}") for g in groups]
    )
    sql = reads._statements()[statement]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {connection.ops.compose_sql(sql, params)}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Index Cond: ({start})" in plan, plan


def test_okta_reads_and_writes_are_planned_once_per_connection(scim, pushed):
    """After a few runs on a connection PostgreSQL keeps the plan of the look-up, the groups
    page and the create (psycopg's prepare_threshold, querypie_admin.prepared_statements)."""
    for i in range(6):
        scim.get("/Users", filter='userName eq "alice@corp.example"')
        scim.get("/Groups", excludedAttributes="members")
        scim.post("/Users", user_body(f"new{i}@corp.example", externalId=f"00unew{i}"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [" ".join(row[0].split()) for row in cursor.fetchall()]
    assert any("LEFT JOIN LATERAL" in s and "login_key" in s for s in prepared), prepared
    assert any("LEFT JOIN LATERAL" in s and "count(*)" in s for s in prepared), prepared
    assert any(s.startswith("WITH known AS") for s in prepared), prepared


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_gets_its_own_kept_cursors():
    """The kept server-bound cursors follow Django's connection: after a reconnect the
    statements run on the new connection, and the closed one's cursors are let go."""
    statement = "SELECT pg_backend_pid()"
    [(first,)] = prepared_statements.fetch(statement, [])
    connection.close()
    [(second,)] = prepared_statements.fetch(statement, [])
    kept = getattr(connection, prepared_statements.KEPT)
    assert first != second and kept.connection is connection.connection
    assert kept[statement][1].connection is connection.connection


@pytest.mark.django_db
def test_each_statement_runs_as_the_text_its_cursor_ran_last():
    """A statement built anew at each call (an equal text, another string object) still
    runs on its own cursor as the string that cursor ran first, so psycopg keeps how it
    sends each parameter; two statements in turn do not share a cursor."""
    built = ["SELECT %s::int + 1", "".join(["SELECT %s::int ", "+ 1"])]
    assert built[0] == built[1] and built[0] is not built[1]
    assert [prepared_statements.fetch(text, [n]) for n, text in enumerate(built)] == [
        [(1,)],
        [(2,)],
    ]
    prepared_statements.fetch("SELECT %s::text", ["between"])
    kept = getattr(connection, prepared_statements.KEPT)
    text, cursor = kept[built[1]]
    assert text is built[0] and cursor._last_query is built[0]
    assert kept["SELECT %s::text"][1] is not cursor


@pytest.mark.django_db
def test_the_kept_cursors_stay_few_whatever_texts_come():
    """Fixed statements are a handful; texts built with their values would each keep a
    cursor for as long as the connection lives, so past MOST_KEPT the kept ones are let go."""
    most = prepared_statements.MOST_KEPT
    for n in range(most + 5):
        assert prepared_statements.fetch(f"SELECT {n}", []) == [(n,)]
    kept = getattr(connection, prepared_statements.KEPT)
    assert 0 < len(kept) <= most and f"SELECT {most + 4}" in kept
