"""The request type of a page behind login_required, for annotations: its user is signed in.

Django annotates `HttpRequest.user` as `User | AnonymousUser`, so every view that hands the user to a
service would have to narrow it again. A view wrapped in login_required (or that has just checked
`request.user.is_authenticated`) receives a request whose user is a `User`; annotating it as
`AuthenticatedHttpRequest` says so once, where the guarantee is made.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """An HttpRequest whose user is signed in. Django never builds one: it is a type for annotations."""

    user: User
