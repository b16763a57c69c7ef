"""The interface's language: the person's choice, else their browser's, else English.

Django's LocaleMiddleware picks the browser's language (Accept-Language) among settings.LANGUAGES; the
middleware here lets a signed-in person's own choice (User.language) win over it. Work done away from a
request (emails, notifications) speaks the recipient's language through `language_of`. The browser client
gets its catalog embedded in the page (`client_catalog`), since the Content-Security-Policy allows neither
inline scripts nor a second round trip before the first paint. A text a catalog lacks stays English.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation.trans_real import DjangoTranslation
from django.views.i18n import JavaScriptCatalog

LANGUAGE_CODES = frozenset(code for code, _ in settings.LANGUAGES)


def language_of(person: Any) -> str:
    """The language to write to `person` in when no request says (an email, a push): theirs or the site's."""
    chosen = getattr(person, "language", "") or ""
    return chosen if chosen in LANGUAGE_CODES else settings.LANGUAGE_CODE


class PersonLanguageMiddleware:
    """After authentication: a signed-in person who chose a language gets it, whatever the browser asks."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if chosen in LANGUAGE_CODES:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


@lru_cache(maxsize=len(LANGUAGE_CODES) + 1)
def client_catalog(language: str) -> dict[str, Any]:
    """The browser client's catalog (the djangojs domain) for `language`: {language, catalog}.

    Catalogs change only with a deployment, so each language's is built once per process.
    """
    if language not in LANGUAGE_CODES:
        language = settings.LANGUAGE_CODE
    catalog_view = JavaScriptCatalog()
    catalog_view.translation = DjangoTranslation(language, domain="djangojs")
    return {"language": language, "catalog": catalog_view.get_catalog()}
