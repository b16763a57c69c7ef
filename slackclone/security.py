"""Content-Security-Policy on every HTML response.

Our pages load only their own ES modules and stylesheets (no inline script, no `style=""`),
so the policy allows scripts from this origin alone: a piece of user text that slipped into
the page as HTML still could not run. The socket at /ws/ is the same host over ws:/wss:, which
'self' does not cover in every browser, so connect-src names it explicitly.

With DEBUG on, error pages get the same relaxation (Django's technical 404 and 500 pages).
Two third-party pages keep their own inline `<style>` blocks: the Swagger UI at /api/docs/
(drf-spectacular's template, its script served separately by the split view) and the Django
admin. Only their style-src is relaxed; scripts stay 'self' everywhere.
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Paths whose third-party templates carry inline <style>; they get style-src 'unsafe-inline'.
RELAXED_STYLE_PREFIXES = ("/api/docs/", "/admin/")


# Other origins a page's forms may lead to, set on the request by a middleware before the view (a sign-in page's
# single sign-on buttons post to us, and we redirect to the provider: browsers hold redirects to form-action too).
FORM_ACTION_ORIGINS_ATTRIBUTE = "csp_form_action_origins"


def build_policy(request: HttpRequest, *, relax_styles: bool = False) -> str:
    """The policy for this request's path and host."""
    form_action = " ".join(["'self'", *getattr(request, FORM_ACTION_ORIGINS_ATTRIBUTE, ())])
    host = request.get_host()
    style_src = "'self'"
    if relax_styles or request.path.startswith(RELAXED_STYLE_PREFIXES):
        style_src += " 'unsafe-inline'"
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": style_src,
        "img-src": "'self' data: blob:",
        "connect-src": f"'self' ws://{host} wss://{host}",
        "font-src": "'self'",
        "media-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "frame-ancestors": "'none'",
        "form-action": form_action,
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def _add_policy(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
        # With DEBUG on, Django's technical error pages (inline <style>) must stay readable.
        relax_styles = settings.DEBUG and response.status_code >= 400
        response["Content-Security-Policy"] = build_policy(request, relax_styles=relax_styles)
    return response


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header to HTML responses that have none yet.

    JSON, files and static assets are not documents, so they need none; a view may set its own.
    Works in both sync and async stacks, so it never costs an ASGI request a thread hop.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest):
        if iscoroutinefunction(self):
            return self._acall(request)
        return _add_policy(request, self.get_response(request))

    async def _acall(self, request: HttpRequest) -> HttpResponse:
        return _add_policy(request, await self.get_response(request))
