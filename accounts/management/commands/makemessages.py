"""Django's makemessages, also extracting the messages of DomainError (its second argument).

Services raise DomainError(code, "English message", params=...) without marking the message: the error
translates it when raised (slackclone.errors), and this keyword puts every such message in the catalog.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=DomainError:2"]
