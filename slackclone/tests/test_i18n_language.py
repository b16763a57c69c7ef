"""Pages, messages and emails in the person's language: their choice, else their browser's, else English.

A text a catalog lacks, or a language the site does not speak, is shown in English and never fails.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.emails import send_verification_email
from accounts.services import user_set_language
from notifications.models import Reminder
from notifications.services.reminders import reminder_message_text
from slackclone.errors import DomainError, ErrorCode
from slackclone.i18n import language_of
from slackclone.testing.factories import UserFactory
from slackclone.testing.web import web_client
from workspaces.emails import send_invitation_email
from workspaces.services import invitation_create

pytestmark = pytest.mark.django_db


def page(user, path: str, accept_language: str = "") -> str:
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = web_client(user).get(path, **headers)
    assert response.status_code == 200
    return response.content.decode()


def test_a_person_who_chose_german_gets_german_pages_whatever_the_browser_asks(team):
    user_set_language(actor=team.member, language="de")
    html = page(team.member, "/accounts/preferences/", accept_language="es-ES,es;q=0.9")
    assert '<html lang="de"' in html
    assert "<title>Einstellungen · Slackclone</title>" in html
    assert "Einstellungen speichern" in html
    assert "Wie mein Browser es wünscht" in html  # a form's choice
    assert "Abmelden" in html


def test_without_a_choice_the_browser_language_is_used(team):
    html = page(team.member, "/accounts/preferences/", accept_language="es-ES,es;q=0.9,en;q=0.5")
    assert '<html lang="es"' in html
    assert "Guardar preferencias" in html
    signed_out = page(None, "/accounts/login/", accept_language="es")
    assert "Inicia sesión en Slackclone" in signed_out
    assert "Correo electrónico" in signed_out  # a form's label


def test_a_language_the_site_does_not_speak_is_english(team):
    html = page(None, "/accounts/login/", accept_language="fr-FR,fr;q=0.9")
    assert '<html lang="en"' in html
    assert "Sign in to Slackclone" in html
    team.member.language = "pt"  # written before Portuguese was dropped, say
    team.member.save(update_fields=["language"])
    assert language_of(team.member) == "en"
    assert "Save preferences" in page(team.member, "/accounts/preferences/")


def test_a_text_the_catalog_lacks_stays_english():
    untranslated = "A sentence nobody has translated yet."  # a variable, so that extraction does not find it
    with translation.override("de"):
        assert gettext(untranslated) == untranslated
        assert gettext("Save preferences") == "Einstellungen speichern"


def test_a_domain_error_speaks_the_language_it_is_raised_in_and_english_without_a_translation():
    nobody_translated = "Something only an API client sees."  # a variable, so that extraction does not find it
    with translation.override("es"):
        taken = DomainError(
            ErrorCode.EMAIL_TAKEN, "An account with %(email)s already exists.", params={"email": "a@b.c"}
        )
        unknown = DomainError(ErrorCode.INVALID_ARGUMENTS, nobody_translated)
    assert taken.message == "Ya existe una cuenta con a@b.c."
    assert unknown.message == nobody_translated


def test_a_domain_error_on_a_page_is_in_the_persons_language(team):
    user_set_language(actor=team.member, language="de")
    taken = team.workspace.slug
    response = web_client(team.member).post("/new/", {"name": "Zweites Team", "slug": taken})
    assert f"Die Adresse &#x27;{taken}&#x27; ist bereits vergeben." in response.content.decode()


def test_flash_messages_and_form_errors_are_in_the_persons_language(team):
    user_set_language(actor=team.member, language="de")
    client = web_client(team.member)
    response = client.post(
        "/accounts/preferences/", {"theme": "dark", "language": "de", "dnd_enabled": "on"}, follow=True
    )
    assert "Wählen Sie eine Uhrzeit." in response.content.decode()
    response = client.post("/accounts/preferences/", {"theme": "dark", "language": "es"}, follow=True)
    # The notice and the next page speak the new choice.
    assert [str(m) for m in response.context["messages"]] == ["Se han guardado tus preferencias."]
    assert "Guardar preferencias" in response.content.decode()


def test_the_verification_email_speaks_the_recipients_language(team):
    person = UserFactory(language="es", email_verified_at=None)
    with translation.override("de"):  # whatever the sending process speaks
        send_verification_email(person)
    (email,) = mail.outbox
    assert email.subject == "Confirma tu dirección de correo para Slackclone"
    assert "Confirma aquí que es tuya e inicia sesión:" in email.body


def test_an_invitation_email_speaks_the_invitees_language_else_the_inviters_with_a_local_date(team):
    UserFactory(email="ines@example.com", language="es")
    user_set_language(actor=team.admin, language="de")
    for address in ("ines@example.com", "neu@example.com"):
        invitation = invitation_create(actor=team.admin, workspace=team.workspace, email=address)
        invitation.expires_at = timezone.now().replace(month=3, day=2) + timedelta(days=365)
        send_invitation_email(invitation)
    spanish, german = mail.outbox
    assert spanish.subject == f"{team.admin.name} te ha invitado a {team.workspace.name} en Slackclone"
    assert "como miembro." in spanish.body
    assert "de marzo de" in spanish.body
    assert german.subject == f"{team.admin.name} hat Sie zu {team.workspace.name} auf Slackclone eingeladen"
    assert "als Mitglied beizutreten" in german.body
    assert "2. März" in german.body


def test_slackbots_reminder_speaks_the_persons_language(team):
    user_set_language(actor=team.member, language="de")
    reminder = Reminder(user=team.member, workspace=team.workspace, text="Wasser trinken")
    assert reminder_message_text(reminder) == "Erinnerung: Wasser trinken"
    reminder.text = ""
    assert reminder_message_text(reminder) == "Erinnerung: eine Nachricht, die Sie nicht mehr sehen können."
