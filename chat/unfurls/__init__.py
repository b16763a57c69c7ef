"""Links in messages: finding them (links.py), the server's own previews (previews.py, html_meta.py, models.py),
and the unfurls shown under a message, the server's and apps' alike (services.py)."""
