"""Account pages: signing in and up, the landing page, profile, preferences and API tokens.

`remember_last_workspace(request, workspace)` is for the web client's page: call it each time a
workspace's client is opened, and `/` takes the user back there next time.
"""

from accounts.views.landing import home, remember_last_workspace, workspaces

__all__ = ["home", "remember_last_workspace", "workspaces"]
