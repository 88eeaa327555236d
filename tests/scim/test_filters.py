"""`filter` on /Users and /Groups: operators, attributes, and the same results on SQLite."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from querypie_admin import directory
from querypie_admin.models import User

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def directory_users(user_factory):
    """Three users with distinct values on every filterable attribute."""
    ann = user_factory(
        login_id="ann@corp.example",
        first_name="Ann",
        last_name="Lee",
        email="ann@corp.example",
        external_id="00uANN",
    )
    bob = user_factory(
        login_id="bob@corp.example",
        first_name="Bob",
        last_name="Stone",
        email="bob@corp.example",
        second_email="bobby@home.example",
        external_id="00uBOB",
        static_ip="10.0.0.2",
    )
    cid = user_factory(
        login_id="cid@other.example",
        first_name="",
        last_name="",
        email="",
        external_id="",
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
        ("externalId pr", ["ann@corp.example", "bob@corp.example"]),
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


def test_group_filters(scim, group_factory):
    eng = group_factory(name="Engineering", external_id="00gENG")
    group_factory(name="Sales")
    assert logins(scim, "Groups", 'displayName eq "engineering"') == ["Engineering"]
    assert logins(scim, "Groups", 'displayName sw "S"') == ["Sales"]
    assert logins(scim, "Groups", 'externalId eq "00gENG"') == ["Engineering"]
    assert logins(scim, "Groups", f'id eq "{eng.pk}"') == ["Engineering"]
    since = (timezone.now() - timedelta(minutes=5)).isoformat()
    assert logins(scim, "Groups", f'meta.lastModified ge "{since}"') == ["Engineering", "Sales"]


def test_filtered_list_paginates_with_the_full_count(scim, user_factory):
    for i in range(5):
        user_factory(login_id=f"team{i}@corp.example")
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


def test_member_filter_on_groups_filters_nothing_silently(scim, group_factory, user_factory):
    directory.add_members("t", group_factory(name="g"), [user_factory()])
    assert scim.get("/Groups", filter='members.value eq "1"').status_code == 400


SQLITE_SCRIPT = """
import json
from querypie_admin import directory
from querypie_admin.models import User, Group
from scim.filters import UserFilterQuery, GroupFilterQuery
directory.create_user("t", login_id="Ann@corp.example", email="ann@corp.example",
                      first_name="Ann", last_name="Lee", external_id="00uANN")
directory.create_user("t", login_id="bob@corp.example", second_email="bobby@home.example",
                      is_active=False)
directory.create_group("t", name="Engineering", external_id="00gENG")
queries = ['userName eq "ann@CORP.example"', 'emails.value eq "bobby@home.example"',
           'displayName eq "Ann Lee"', 'active eq false', 'userName co "corp" and active eq true',
           'externalId eq "00uANN"', 'meta.lastModified gt "2000-01-01T00:00:00Z"']
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
            'meta.lastModified gt "2000-01-01T00:00:00Z"': ["Ann@corp.example", "bob@corp.example"],
        },
        "groups": ["Engineering"],
    }


@pytest.mark.parametrize(
    "path,query,index",
    [
        ("/Users", 'userName eq "Ann@CORP.example"', "user_login_id_ci_unique"),
        ("/Groups", 'displayName eq "ENGINEERING"', "group_name_ci_unique"),
    ],
)
def test_okta_lookups_use_the_case_insensitive_unique_index(
    scim, directory_users, path, query, index
):
    """Okta looks a user up before every create: the query must not scan the whole table."""
    directory.create_group("t", name="Engineering")
    with CaptureQueriesContext(connection) as queries:
        assert scim.get(path, filter=query).json()["totalResults"] == 1
    lookup = next(q["sql"] for q in queries if "LOWER(" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {lookup}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert f"Index Scan using {index}" in plan, plan
