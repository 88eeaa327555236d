"""`docs/…` mentions on pages are links: the documents are served read-only inside the
console for signed-in users, rendered (headings, paragraphs, code, tables), raw HTML shown
as text."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from querypie_admin import docs_pages
from tests.foundation.conftest import Person
from tests.workers import ROOT

pytestmark = pytest.mark.django_db
MENTION = re.compile(r'{% docs_link "([^"]+)" %}')
PLAIN_MENTION = re.compile(r"docs/[A-Z][A-Z0-9_]*\.md")


def test_a_signed_in_user_reads_every_document(plain_user):
    person = Person(plain_user)
    index = person.page(reverse("docs_index"))
    for name in sorted(p.name for p in (Path(ROOT) / "docs").glob("*.md")):
        assert f'href="/docs/{name}"' in index
        assert person.get(f"/docs/{name}").status_code == 200, name


def test_a_document_is_rendered_with_headings_code_and_tables(as_owner):
    page = as_owner.page(reverse("docs_page", args=["SYNC.md"]))
    assert re.search(r"<h1>.+</h1>", page) and "<h2>" in page
    assert "<pre><code" in page and "<table>" in page
    assert "scripts/manage okta_sync run" in page


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (reverse("docs_index"), reverse("docs_page", args=["SYNC.md"])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("name", ["NOPE.md", "..%2FREADME.md", "sync.md", "SYNC.txt"])
def test_only_the_documents_are_served(as_owner, name):
    assert as_owner.get(f"/docs/{name}").status_code == 404


def test_raw_html_in_a_document_is_shown_as_text(tmp_path, monkeypatch):
    (tmp_path / "EVIL.md").write_text(
        "# Evil\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))\n"
    )
    monkeypatch.setattr(docs_pages, "DOCS_DIR", tmp_path)
    body = docs_pages.render("EVIL.md")
    assert "<script>" not in body and "&lt;script&gt;" in body
    assert 'href="javascript:' not in body


def test_pages_link_their_docs_mentions(admin_client):
    page = admin_client.get(reverse("okta_visibility")).content.decode()
    assert '<a href="/docs/SYNC.md">docs/SYNC.md</a>' in page
    followed = admin_client.get("/docs/SYNC.md")
    assert followed.status_code == 200


def test_every_docs_mention_in_a_template_names_a_document():
    templates = Path(ROOT) / "templates"
    mentioned = {m for t in templates.rglob("*.html") for m in MENTION.findall(t.read_text())}
    assert mentioned and mentioned <= set(docs_pages.names())


def test_no_template_mentions_a_document_without_linking_it():
    """A `docs/NAME.md` in a template's text is a `{% docs_link %}`, never plain text."""
    templates = Path(ROOT) / "templates"
    plain = {
        f"{t.name}: {m}"
        for t in templates.rglob("*.html")
        for m in PLAIN_MENTION.findall(t.read_text())
    }
    assert plain == set()


def test_the_docs_pages_keep_the_csp(admin_client):
    response = admin_client.get("/docs/SECURITY.md")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert Client().get("/docs/SECURITY.md").status_code == 302
