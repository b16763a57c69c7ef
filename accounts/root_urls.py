"""`/`: the workspace opened last, else the list of your workspaces (mounted at the site's root)."""

from django.urls import path

from accounts.views import landing

urlpatterns = [path("", landing.home, name="home")]
