"""EMAIL_URL: SMTP with its TLS options, or files under var/ when it is not set."""

import pytest

from querypie_admin.settings import VAR_DIR, _email


def test_without_email_url_mail_goes_to_files_under_var():
    assert _email("") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(VAR_DIR / "mail"),
    }


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://mailer:p%40ss@mail.corp.example:587",
            ("mail.corp.example", 587, "mailer", "p@ss", True, False),
        ),
        (
            "smtp://mail.corp.example:587?tls=false",
            ("mail.corp.example", 587, "", "", False, False),
        ),
        ("smtp://relay.local", ("relay.local", 25, "", "", False, False)),
        ("smtp://relay.local:2525?tls=1", ("relay.local", 2525, "", "", True, False)),
        ("smtps://u:p@mail.corp.example", ("mail.corp.example", 465, "u", "p", False, True)),
    ],
)
def test_smtp_urls(url, expected):
    found = _email(url)
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    keys = ("HOST", "PORT", "HOST_USER", "HOST_PASSWORD", "USE_TLS", "USE_SSL")
    assert tuple(found[f"EMAIL_{key}"] for key in keys) == expected


def test_an_unknown_scheme_is_refused_at_start():
    with pytest.raises(ValueError, match="smtp:// or smtps://"):
        _email("http://mail.corp.example")
