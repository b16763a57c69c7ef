"""Slack's standard export format, in and out.

`reader` opens an export zip (users.json, channels.json, groups.json, dms.json, mpims.json and one
folder per conversation with a JSON file per day); `importer` turns one into a workspace's people,
channels, DMs and history, idempotently; `exporter` writes a workspace in the same format.
"""
