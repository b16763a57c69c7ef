"""The base every app's Django admin builds on: changes and actions through the services.

Who acts: the Django admin is the operator's console. Its users are staff whom the operator
gave model permissions, so its writes call the services as the operator (actor=None), like
the manage.py commands. Passing the staff user as the actor instead would tie the console to
unrelated facts (whether they happen to be in the channel they archive, or an admin of that
workspace) and refuse them for the wrong reasons. Who did what is still recorded: every
change and action is written to Django's admin log against the staff user. And the services
still refuse what nobody may do (archiving #general, deactivating the last owner, ...); those
refusals appear as error messages with their code, and write nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from slackclone.errors import DomainError

ModelT = TypeVar("ModelT", bound=Model)


def describe_error(error: DomainError) -> str:
    return f"{error.message} ({error.code.value})"


def run_service_action(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    rows: Iterable[ModelT],
    service: Callable[[ModelT], object],
    *,
    done: str,
) -> int:
    """Call `service` on each row (each call is its own transaction) and report the outcome.

    Successes are logged against the staff user and counted in one message; each refusal
    gets an error message naming the row, the reason and its code. Returns the successes.
    """
    succeeded = 0
    for row in rows:
        try:
            service(row)
        except DomainError as error:
            model_admin.message_user(request, f"{row}: {describe_error(error)}", messages.ERROR)
            continue
        succeeded += 1
        model_admin.log_change(request, row, done)
    if succeeded:
        noun = model_admin.model._meta.verbose_name if succeeded == 1 else model_admin.model._meta.verbose_name_plural
        model_admin.message_user(request, f"{done}: {succeeded} {noun}.", messages.SUCCESS)
    return succeeded


def domain_validation_error(error: DomainError) -> forms.ValidationError:
    """A service check's refusal as a form error, on the fields it names when the form has them."""
    return forms.ValidationError(describe_error(error), code=error.code.value)


class ServiceModelAdmin(Generic[ModelT], admin.ModelAdmin):
    """A ModelAdmin whose writes go through the services; `ServiceModelAdmin[Channel]` for the rows it shows.

    - Adding: the form validates, then `create_through_service` creates the row; Django logs
      and shows that row.
    - Changing: plain saves only for settings no service owns; subclasses route the rest.
    - Deleting is off: rows leave through services (revoke, deactivate, archive, tombstone),
      so history and counters stay true.
    - Actions declare `permissions=["operate"]` (Django's change permission on the model) or
      `["remove"]` (its delete permission), so they work on read-only admins too.
    - A DomainError the form could not foresee (a race) becomes an error message, nothing written.
    """

    def create_through_service(self, request: HttpRequest, form: forms.ModelForm[ModelT]) -> ModelT:
        raise NotImplementedError(f"{type(self).__name__} must create rows through a service.")

    def has_delete_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False

    def _has_model_perm(self, request: HttpRequest, action: str) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")

    def has_operate_permission(self, request: HttpRequest) -> bool:
        return self._has_model_perm(request, "change")

    def has_remove_permission(self, request: HttpRequest) -> bool:
        return self._has_model_perm(request, "delete")

    def save_form(self, request: HttpRequest, form: forms.ModelForm[ModelT], change: bool) -> ModelT:
        if change:
            return super().save_form(request, form, change)
        return self.create_through_service(request, form)

    def save_model(self, request: HttpRequest, obj: ModelT, form: forms.ModelForm[ModelT], change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: forms.ModelForm[ModelT], formsets, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)

    def changeform_view(
        self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:  # the admin's transaction has rolled back
            self.message_user(request, describe_error(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyServiceModelAdmin(ServiceModelAdmin[ModelT]):
    """Rows that only services write (messages and what hangs off them): viewed here, changed by actions."""

    def has_add_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False


class CappedInlineFormSet(forms.BaseInlineFormSet):
    """Shows the first `cap` related rows, so a channel with 10,000 members still opens quickly."""

    cap = 100

    def get_queryset(self) -> QuerySet:
        if not hasattr(self, "_capped_queryset"):
            self._capped_queryset = super().get_queryset()[: self.cap]
        return self._capped_queryset


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown on their parent's page; they are changed through their own admin's actions."""

    formset = CappedInlineFormSet
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
