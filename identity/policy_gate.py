"""Where a browser session enters a workspace, its sign-in policy is checked (identity.policy).

A page under /<slug>/ (the client and the admin pages) or a REST call that names a workspace or something
of its own (a channel, a file, a reminder, a scheduled message, an app), made with a session, is refused
when the session signed in a way the workspace does not accept or longer ago than its session length:
pages answer with a "sign in again" page, the API with its error shape (401). Requests with an API token
are never held to it; the socket is checked at its handshake (realtime.auth).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from identity.models import SignInPolicy
from identity.policy import problem_message, session_problem

# The URL arguments that name something of one workspace, and the model whose `workspace` it is.
OWNED_BY_A_WORKSPACE = {
    "channel_id": "chat.Channel",
    "file_id": "chat.Attachment",
    "scheduled_id": "notifications.ScheduledMessage",
    "reminder_id": "notifications.Reminder",
    "app_id": "slack_apps.App",
}
WORKSPACE_KWARGS = ("workspace_slug", "workspace_id", *OWNED_BY_A_WORKSPACE)


def _policy_for(kwargs: dict[str, Any]) -> SignInPolicy | None:
    """The policy of the workspace the URL names, directly (/<slug>/, T…) or through something of its own."""
    policies = SignInPolicy.objects.select_related("workspace")
    if slug := kwargs.get("workspace_slug"):
        return policies.filter(workspace__slug=slug).first()
    if (public_id := kwargs.get("workspace_id")) and str(public_id).startswith("T"):
        return policies.filter(workspace__public_id=public_id).first()
    for name, model_name in OWNED_BY_A_WORKSPACE.items():
        if public_id := kwargs.get(name):
            model = apps.get_model(model_name)
            workspace_id = model.objects.filter(public_id=public_id).values_list("workspace_id", flat=True).first()
            return policies.filter(workspace_id=workspace_id).first() if workspace_id else None
    return None


def _token_request(request: HttpRequest) -> bool:
    """A REST call with a Bearer token: the API authenticates it by the token alone (BearerTokenAuthentication
    comes first and refuses a bad token), never by the session, so the session's policy does not apply. A page
    is always the session's, whatever headers come with it."""
    authorization = request.META.get("HTTP_AUTHORIZATION", "")
    return request.path.startswith("/api/v1/") and authorization[:7].lower() == "bearer "


class SignInPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or _token_request(request):
            return None
        if not any(view_kwargs.get(name) for name in WORKSPACE_KWARGS):
            return None
        policy = _policy_for(view_kwargs)
        problem = session_problem(policy, user, request.session) if policy is not None else ""
        if not problem:
            return None
        message = problem_message(problem, policy)
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"code": problem, "message": message, "fields": {}}}, status=401)
        context = {"workspace": policy.workspace if policy else None, "problem": problem, "message": message}
        return render(request, "identity/sign_in_again.html", context, status=401)
