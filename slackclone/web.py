"""What every server-rendered page shares: domain errors shown on forms, and the sign-in rate limit.

Views translate a POST into a form, the form checks its shape, a service does the work; a
DomainError from the service becomes an error on the field it names (or on the whole form).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from slackclone.api.exceptions import ApiRatelimited
from slackclone.api.ratelimit import check_account_sign_in_rate, check_auth_rate
from slackclone.errors import DomainError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def add_domain_error(form: forms.Form, error: DomainError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's error on the form field it names (`aliases` maps service names to form names)."""
    aliases = aliases or {}
    for name in error.fields or {}:
        field = aliases.get(name, name)
        if field in form.fields:
            form.add_error(field, error.message)
            return
    form.add_error(None, error.message)


def submit_form(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[dict], object],
    *,
    success: StrOrPromise,
    redirect_to: str,
    aliases: dict[str, str] | None = None,
) -> HttpResponse | None:
    """Validate `form` and run `action(cleaned_data)` (a service call); then flash `success` and redirect.

    Returns None when the form or the service refused: the errors are on the form, nothing was written,
    and the view renders the form again.
    """
    if not form.is_valid():
        return None
    try:
        action(form.cleaned_data)
    except DomainError as error:
        add_domain_error(form, error, aliases)
        return None
    messages.success(request, success)
    return redirect(redirect_to)


def auth_rate_limited(action: StrOrPromise, *, account_field: str | None = None) -> Callable:
    """Limit a page's POSTs per client address (the API's sign-in budget, settings.API_AUTH_RATE) and,
    with `account_field` (the form field naming the account), refuse an account past its failed sign-ins.

    Over the limit the visitor gets a 429 page saying when to try again; GETs are never counted.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def limited(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                try:
                    check_auth_rate(request)
                    if account_field:
                        check_account_sign_in_rate(request, request.POST.get(account_field, ""))
                except ApiRatelimited as limit:
                    context = {"retry_after": limit.retry_after, "action": action}
                    response = render(request, "ratelimited.html", context, status=429)
                    response["Retry-After"] = str(limit.retry_after)
                    return response
            return view(request, *args, **kwargs)

        return limited

    return decorator
