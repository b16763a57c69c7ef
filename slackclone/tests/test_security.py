"""The Content-Security-Policy and the other security headers on pages."""

from __future__ import annotations

import pytest

from slackclone.testing.web import web_client


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"])
def test_pages_carry_a_policy_that_allows_no_inline_script(db, url):
    response = web_client().get(url)
    assert response.status_code == 200
    csp = _directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:", "blob:"]
    assert not any("unsafe" in value for values in csp.values() for value in values)


def test_the_socket_of_the_same_host_is_allowed(team):
    response = web_client(team.member).get("/accounts/profile/", HTTP_HOST="localhost")
    assert _directives(response)["connect-src"] == ["'self'", "ws://localhost", "wss://localhost"]


def test_signed_in_pages_and_error_pages_carry_it_too(team):
    client = web_client(team.member)
    assert "script-src 'self';" in client.get("/accounts/tokens/")["Content-Security-Policy"]
    not_found = client.get("/accounts/no-such-page/")
    assert not_found.status_code == 404
    assert "script-src 'self';" in not_found["Content-Security-Policy"]


def test_json_answers_need_no_policy(team):
    response = web_client(team.member).get("/api/v1/me")
    assert response["Content-Type"] == "application/json"
    assert "Content-Security-Policy" not in response


def test_other_security_headers_are_set(db):
    response = web_client().get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_api_docs_load_their_script_from_this_origin_with_only_styles_relaxed(team):
    client = web_client(team.member)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    csp = _directives(page)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    html = page.content.decode()
    assert "<script>" not in html  # the split view serves its start-up script as a file
    assert 'src="/api/docs/?script=' in html or "src='/api/docs/?script=" in html
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_django_admin_keeps_scripts_strict(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert _directives(response)["script-src"] == ["'self'"]
    assert "<script>" not in response.content.decode()


def test_debug_error_pages_may_use_inline_styles_but_never_scripts(db, settings):
    settings.DEBUG = True
    response = web_client().get("/accounts/no-such-page/")
    assert response.status_code == 404
    csp = _directives(response)
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["script-src"] == ["'self'"]
