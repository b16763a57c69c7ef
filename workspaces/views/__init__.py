"""Workspace pages: create one (/new/), accept an invitation (/invite/<token>/), and the admin
pages for owners and admins at /<slug>/admin/. Each view is a thin adapter over workspaces.services."""
