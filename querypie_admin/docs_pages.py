"""The console's own documentation (docs/*.md), read-only for signed-in users, so a page that
says "see docs/SYNC.md" links to it, offline and at the version that is running.

Rendered with markdown-it-py's CommonMark plus tables; raw HTML in a document is shown as
text, never passed through, and unsafe link schemes (javascript:) are refused by the parser."""

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

DOCS_DIR = Path(settings.BASE_DIR) / "docs"
NAME = re.compile(r"^[A-Z][A-Z0-9_]*\.md$")


def names() -> list[str]:
    """The documents there are: docs/NAME.md, upper-case names only (no path can be asked)."""
    return sorted(p.name for p in DOCS_DIR.glob("*.md") if NAME.match(p.name))


def title_of(name: str) -> str:
    return name.removesuffix(".md").replace("_", " ").title()


@cache
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def render(name: str) -> SafeString | None:
    """The document as HTML, or None when there is no such document."""
    if name not in names():
        return None
    text = (DOCS_DIR / name).read_text(encoding="utf-8")
    return mark_safe(_renderer().render(text))  # noqa: S308 - html=False escapes raw HTML
