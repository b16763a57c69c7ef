from django.urls import path

from slack_apps.api import views

urlpatterns = [
    path("channels/<pubid:channel_id>/commands", views.CommandsView.as_view(), name="channel-commands"),
]
