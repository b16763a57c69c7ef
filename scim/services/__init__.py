"""SCIM's write path: people (`users`) and user groups (`groups`), each change through the workspaces and
accounts services, in one transaction, audited with {"method": "scim"}."""
