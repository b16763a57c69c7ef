"""The REST API for workspaces, their members and roles, and invitations."""
