"""Statuses look different: "Succeeded", "Queued", "Running" and "Failed" each have their own
colour, from one CSS rule set and one template tag, on every page that shows a run."""

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.urls import reverse

from okta_insights.models import CollectionRun, RunKind, RunLane, RunStatus
from tests.workers import ROOT

CSS = (Path(ROOT) / "static" / "css" / "console.css").read_text()


def badge(status: str, label: str = "") -> str:
    template = Template("{% load console %}{% status_badge status label %}")
    return template.render(Context({"status": status, "label": label}))


def tone_of(html: str) -> str:
    return re.search(r"\btone-(\w+)", html).group(1)


def test_each_run_status_has_its_own_tone_and_colour():
    tones = {s: tone_of(badge(s)) for s in ("succeeded", "queued", "running", "failed")}
    tones["needs_confirmation"] = tone_of(badge("needs_confirmation"))
    assert len(set(tones.values())) == 5, tones
    colours = {
        tone: re.search(rf"\.status-badge\.tone-{tone} \{{ background:(#\w+); color:(#\w+)", CSS)
        for tone in tones.values()
    }
    assert all(colours.values()), colours
    assert len({m.groups() for m in colours.values()}) == 5


def test_the_same_status_has_the_same_tone_whatever_its_spelling():
    assert {tone_of(badge(s)) for s in ("Succeeded", "SUCCEEDED", "succeeded")} == {"ok"}
    assert tone_of(badge("Inactive")) == tone_of(badge("failed")) == "failed"
    assert tone_of(badge("something new")) == "neutral"
    assert ">Needs confirmation</span>" in badge("needs_confirmation")


@pytest.mark.django_db
def test_collection_history_shows_each_status_in_its_colour(admin_client):
    statuses = [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.PARTIAL, RunStatus.QUEUED]
    for status in statuses:
        finished = status != RunStatus.QUEUED
        CollectionRun.objects.create(
            lane=RunLane.ALL,
            kind=RunKind.MANUAL,
            status=status,
            started_by_label="owner",
            in_progress=None if finished else True,
        )
    page = admin_client.get(reverse("okta_collection_history")).content.decode()
    shown = dict(re.findall(r'class="badge status-badge tone-(\w+)" data-status="(\w+)"', page))
    assert sorted(shown.items()) == [
        ("attention", "partial"),
        ("failed", "failed"),
        ("ok", "succeeded"),
        ("waiting", "queued"),
    ]
