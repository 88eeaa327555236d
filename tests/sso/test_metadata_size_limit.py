"""One SSO_METADATA_MAX_BYTES for all three ways in: paste, upload and the Metadata URL
(paste and upload were fixed at 1 MB whatever the setting said)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sso.forms import SamlSettingsForm
from sso.models import SamlSettings

pytestmark = pytest.mark.django_db
XML = "<EntityDescriptor>" + "x" * 2000 + "</EntityDescriptor>"


def form(settings, limit: int, **data) -> SamlSettingsForm:
    settings.SSO_METADATA_MAX_BYTES = limit
    fields = {"authentication_type": "okta", "clock_skew_seconds": "120", **data}
    files = {"metadata_file": data.pop("upload")} if "upload" in data else {}
    return SamlSettingsForm(fields, files, config=SamlSettings.load())


def test_pasted_metadata_over_the_setting_is_refused(settings):
    bound = form(settings, 1024, metadata_xml=XML)
    assert not bound.is_valid()
    assert bound.errors["metadata_xml"] == ["The metadata is larger than 1 KB."]


def test_uploaded_metadata_over_the_setting_is_refused(settings):
    bound = form(settings, 1024, upload=SimpleUploadedFile("idp.xml", XML.encode()))
    assert not bound.is_valid()
    assert bound.errors["metadata_file"] == ["The metadata is larger than 1 KB."]


def test_metadata_under_the_setting_reaches_the_parser(settings):
    bound = form(settings, 64 * 1024, metadata_xml=XML)
    assert not bound.is_valid()
    assert "larger than" not in str(bound.errors)  # refused as metadata, not for its size
