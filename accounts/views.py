"""Account pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from workspaces.models import Membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in landing page: the workspaces you belong to."""
    memberships = (
        Membership.objects.filter(user=request.user, is_active=True).select_related("workspace").order_by("joined_at")
    )
    return render(request, "home.html", {"memberships": memberships})
