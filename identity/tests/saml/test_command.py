"""manage.py add_saml_provider: what it prints (our metadata URL last) and how it refuses."""

from __future__ import annotations

import io

import pytest
import requests
from allauth.socialaccount.models import SocialApp
from django.core.management import CommandError, call_command

from identity.models import IdentityProvider

pytestmark = pytest.mark.django_db


def run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("add_saml_provider", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_adds_the_provider_and_prints_our_metadata_url_last(team, saml_idp, settings):
    lines = run(team.workspace.slug, "Corp SSO", "--metadata-url", saml_idp.metadata_url, "--trust-email",
                "--allow-domain", "corp.example", "--allow-domain", "corp.example.org")  # fmt: skip
    provider = IdentityProvider.objects.get()
    assert lines[-1] == f"{settings.SITE_URL}/auth/saml/{team.workspace.slug}-corp-sso/metadata/"
    assert provider.trust_email
    assert provider.allowed_domains == ["corp.example", "corp.example.org"]
    assert requests.get(saml_idp.metadata_url, timeout=10).ok


def test_it_reads_a_metadata_file(team, saml_idp, tmp_path):
    path = tmp_path / "idp.xml"
    path.write_bytes(requests.get(saml_idp.metadata_url, timeout=10).content)
    lines = run(team.workspace.slug, "Corp", "--metadata-file", str(path))
    assert lines[-1].endswith(f"/auth/saml/{team.workspace.slug}-corp/metadata/")
    assert IdentityProvider.objects.get().trust_email is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-workspace", "Corp", "--metadata-file", "/dev/null"], "No workspace has the address"),
        (["{slug}", "Corp", "--metadata-file", "/nonexistent/idp.xml"], "Cannot read /nonexistent/idp.xml"),
        (["{slug}", "Corp", "--metadata-file", "/dev/null"], "The metadata is empty. [invalid_saml_metadata]"),
        (["{slug}", "Corp", "--metadata-url", "ftp://idp.example/m"], "[invalid_saml_metadata]"),
        (["{slug}", "", "--metadata-file", "{good}"], "[invalid_name]"),
        (["{slug}", "Corp", "--metadata-file", "{good}", "--allow-domain", "@x"], "[invalid_arguments]"),
    ],
)
def test_it_refuses_with_a_precise_message_and_writes_nothing(team, saml_idp, tmp_path, args, message):
    good = tmp_path / "idp.xml"
    good.write_bytes(requests.get(saml_idp.metadata_url, timeout=10).content)
    args = [a.format(slug=team.workspace.slug, good=good) for a in args]
    with pytest.raises(CommandError) as refused:
        run(*args)
    assert message in str(refused.value)
    assert not SocialApp.objects.exists()
    assert not IdentityProvider.objects.exists()


@pytest.mark.parametrize("args", [[], ["--metadata-url", "http://x.example/m", "--metadata-file", "/dev/null"]])
def test_it_takes_exactly_one_metadata_source(team, args):
    with pytest.raises(CommandError):
        run(team.workspace.slug, "Corp", *args)


def test_a_second_provider_with_the_same_name_is_refused(team, saml_idp):
    run(team.workspace.slug, "Corp", "--metadata-url", saml_idp.metadata_url)
    with pytest.raises(CommandError) as refused:
        run(team.workspace.slug, "Corp", "--metadata-url", saml_idp.metadata_url)
    assert "[name_taken]" in str(refused.value)
    assert SocialApp.objects.count() == 1
