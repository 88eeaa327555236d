"""`filter` on /Users and /Groups: operators, attributes, and the same results on SQLite."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from querypie_admin import directory
from querypie_admin.models import AuthProvider, DirectoryLink, LinkSource, User
from tests.factories import okta_group, okta_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def directory_users(db):
    """Three Okta users with distinct values on every filterable attribute; cid is known
    to the Okta sync only, so SCIM has no externalId for it."""
    ann = okta_user(
        LinkSource.SCIM,
        external_id="00uANN",
        login_id="ann@corp.example",
        first_name="Ann",
        last_name="Lee",
        email="ann@corp.example",
    )
    bob = okta_user(
        LinkSource.SCIM,
        external_id="00uBOB",
        login_id="bob@corp.example",
        first_name="Bob",
        last_name="Stone",
        email="bob@corp.example",
        second_email="bobby@home.example",
        static_ip="10.0.0.2",
    )
    cid = okta_user(
        LinkSource.OKTA_SYNC,
        external_id="00uCID",
        login_id="cid@other.example",
        first_name="",
        last_name="",
        email="",
        is_active=False,
    )
    User.objects.filter(pk=ann.pk).update(updated_at=timezone.now() - timedelta(days=10))
    return ann, bob, cid


def logins(scim, resource: str, query: str) -> list[str]:
    response = scim.get(f"/{resource}", filter=query)
    assert response.status_code == 200, response.content
    key = "userName" if resource == "Users" else "displayName"
    return [r[key] for r in response.json()["Resources"]]


@pytest.mark.parametrize(
    "query,expected",
    [
        ('userName eq "ANN@corp.example"', ["ann@corp.example"]),
        ('userName ne "ann@corp.example"', ["bob@corp.example", "cid@other.example"]),
        ('userName co "corp"', ["ann@corp.example", "bob@corp.example"]),
        ('userName sw "B"', ["bob@corp.example"]),
        ('userName ew "other.example"', ["cid@other.example"]),
        ('externalId eq "00uBOB"', ["bob@corp.example"]),
        ('externalId eq "00ubob"', []),
        ('externalId eq "00uCID"', []),
        ('externalId ne "00uBOB"', ["ann@corp.example", "cid@other.example"]),
        ("externalId pr", ["ann@corp.example", "bob@corp.example"]),
        (
            'externalId pr or userName eq "cid@other.example"',
            ["ann@corp.example", "bob@corp.example", "cid@other.example"],
        ),
        ('emails.value eq "bobby@home.example"', ["bob@corp.example"]),
        ('emails eq "ann@corp.example"', ["ann@corp.example"]),
        ('emails[value eq "ann@corp.example"]', ["ann@corp.example"]),
        ('emails.value co "home"', ["bob@corp.example"]),
        ('displayName eq "Bob Stone"', ["bob@corp.example"]),
        ('displayName eq "cid@other.example"', ["cid@other.example"]),
        ("active eq false", ["cid@other.example"]),
        ('active eq true and userName sw "a"', ["ann@corp.example"]),
        (
            'userName eq "ann@corp.example" or userName eq "cid@other.example"',
            ["ann@corp.example", "cid@other.example"],
        ),
        ('not (userName sw "a")', ["bob@corp.example", "cid@other.example"]),
        ('name.familyName eq "lee"', ["ann@corp.example"]),
        (
            'urn:ietf:params:scim:schemas:extension:querypie:2.0:User:staticIp eq "10.0.0.2"',
            ["bob@corp.example"],
        ),
        (
            'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "ann@corp.example"',
            ["ann@corp.example"],
        ),
    ],
)
def test_user_filters(scim, directory_users, query, expected):
    assert logins(scim, "Users", query) == expected


def test_last_modified_filter(scim, directory_users):
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert logins(scim, "Users", f'meta.lastModified gt "{since}"') == [
        "bob@corp.example",
        "cid@other.example",
    ]
    assert logins(scim, "Users", f'meta.lastModified lt "{since}"') == ["ann@corp.example"]


def test_group_filters(scim):
    eng = okta_group(LinkSource.SCIM, external_id="00gENG", name="Engineering")
    okta_group(LinkSource.OKTA_SYNC, external_id="00gSALES", name="Sales")
    assert logins(scim, "Groups", 'displayName eq "engineering"') == ["Engineering"]
    assert logins(scim, "Groups", 'displayName sw "S"') == ["Sales"]
    assert logins(scim, "Groups", 'externalId eq "00gENG"') == ["Engineering"]
    assert logins(scim, "Groups", 'externalId eq "00gSALES"') == []
    assert logins(scim, "Groups", f'id eq "{eng.pk}"') == ["Engineering"]
    since = (timezone.now() - timedelta(minutes=5)).isoformat()
    assert logins(scim, "Groups", f'meta.lastModified ge "{since}"') == ["Engineering", "Sales"]


def test_filtered_list_paginates_with_the_full_count(scim):
    for i in range(5):
        okta_user(LinkSource.SCIM, login_id=f"team{i}@corp.example")
    body = scim.get("/Users", filter='userName sw "team"', startIndex="4", count="10").json()
    assert body["totalResults"] == 5 and body["itemsPerPage"] == 2 and body["startIndex"] == 4


def test_search_endpoint_takes_the_filter_in_the_body(scim, directory_users):
    body = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "filter": 'userName sw "b"',
        "attributes": ["userName"],
    }
    response = scim.post("/Users/.search", body).json()
    assert response["totalResults"] == 1
    assert response["Resources"][0]["userName"] == "bob@corp.example"
    assert set(response["Resources"][0]) == {"schemas", "id", "userName"}


def test_member_filter_on_groups_filters_nothing_silently(scim):
    group = okta_group(LinkSource.SCIM, name="g")
    directory.add_members(directory.Caller.scim(), group, [okta_user(LinkSource.SCIM)])
    assert scim.get("/Groups", filter='members.value eq "1"').status_code == 400


SQLITE_SCRIPT = """
import json
from querypie_admin import directory
from querypie_admin.directory import Caller, Sent
from scim.filters import UserFilterQuery, GroupFilterQuery
scim = Caller.scim()
directory.create_user(scim, {"login_id": "Ann@corp.example", "email": "ann@corp.example",
                      "first_name": "Ann", "last_name": "Lee"}, sent=Sent("00uANN"))
directory.create_user(scim, {"login_id": "bob@corp.example", "is_active": False,
                      "second_email": "bobby@home.example"})
directory.create_group(scim, {"name": "Engineering"}, sent=Sent("00gENG"))
queries = ['userName eq "ann@CORP.example"', 'emails.value eq "bobby@home.example"',
           'displayName eq "Ann Lee"', 'active eq false', 'userName co "corp" and active eq true',
           'externalId eq "00uANN"', 'externalId ne "00uANN"',
           'meta.lastModified gt "2000-01-01T00:00:00Z"']
users = {q: [u.login_id for u in UserFilterQuery.search(q)] for q in queries}
groups = [g.name for g in GroupFilterQuery.search('displayName eq "engineering"')]
print(json.dumps({"users": users, "groups": groups}))
"""


def test_filters_work_on_the_sqlite_default(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "querypie_admin.settings",
        "QUERYPIE_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT, timeout=300)
    out = subprocess.run(
        [*manage, "shell", "-c", SQLITE_SCRIPT],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result == {
        "users": {
            'userName eq "ann@CORP.example"': ["Ann@corp.example"],
            'emails.value eq "bobby@home.example"': ["bob@corp.example"],
            'displayName eq "Ann Lee"': ["Ann@corp.example"],
            "active eq false": ["bob@corp.example"],
            'userName co "corp" and active eq true': ["Ann@corp.example"],
            'externalId eq "00uANN"': ["Ann@corp.example"],
            'externalId ne "00uANN"': ["bob@corp.example"],
            'meta.lastModified gt "2000-01-01T00:00:00Z"': ["Ann@corp.example", "bob@corp.example"],
        },
        "groups": ["Engineering"],
    }


def plan_of(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    "path,query,key",
    [
        ("/Users", 'userName eq "Ann@CORP.example"', "login_key"),
        ("/Groups", 'displayName eq "ENGINEERING"', "name_key"),
    ],
)
def test_okta_lookups_use_the_unique_comparison_key_index(scim, directory_users, path, query, key):
    """Okta looks a user up before every create: the query must not scan the whole table."""
    directory.create_group(directory.Caller.scim(), {"name": "Engineering"})
    statements = []

    def keep(execute, sql, params, many, context):
        statements.append(connection.ops.compose_sql(sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):  # the SQL with its values, however it was bound
        assert scim.get(path, filter=query).json()["totalResults"] == 1
    lookup = next(sql for sql in statements if re.search(rf'\b{key}"? =', sql))
    plan = plan_of(lookup)
    assert "Index Scan using" in plan and f"_{key}_" in plan, plan


def test_external_id_lookup_uses_the_links_index(scim):
    """externalId lives on the SCIM link: the look-up starts from the (source, external_id)
    index of the links, not from every SCIM link or every user."""
    users = User.objects.bulk_create(
        User(login_id=f"bulk{i}@corp.example", auth_provider=AuthProvider.OKTA) for i in range(3000)
    )
    DirectoryLink.objects.bulk_create(
        DirectoryLink(source=LinkSource.SCIM, user=u, external_id=f"00u{u.pk}") for u in users
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE querypie_admin_user, querypie_admin_directorylink")
    query = f'externalId eq "00u{users[1234].pk}"'
    with CaptureQueriesContext(connection) as queries:
        found = scim.get("/Users", filter=query).json()["Resources"]
    assert [r["userName"] for r in found] == ["bulk1234@corp.example"]
    lookup = next(q["sql"] for q in queries if '"external_id" =' in q["sql"])
    plan = plan_of(lookup)
    assert "Index Scan using link_source_external_id" in plan, plan
