"""Every model's admin pages render for a superuser, and changelists cost a bounded number of queries."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib.admin.widgets import AutocompleteSelect

from chat.tests.admin.support import admin_url

pytestmark = pytest.mark.django_db

MODELS = [
    "accounts.User",
    "accounts.ApiToken",
    "workspaces.Workspace",
    "workspaces.Membership",
    "workspaces.Invitation",
    "workspaces.UserGroup",
    "chat.Channel",
    "chat.ChannelMember",
    "chat.Message",
    "chat.Mention",
    "chat.Reaction",
    "chat.Pin",
    "chat.Attachment",
    "chat.CustomEmoji",
]
WRITTEN_ONLY_BY_SERVICES = {"chat.Message", "chat.Mention", "chat.Reaction", "chat.Pin", "chat.Attachment"}
# Session, user, (estimated) count, page of rows; a row that costs a query of its own would blow this.
CHANGELIST_MAX_QUERIES = 6


@pytest.mark.parametrize("label", MODELS)
def test_pages_render_and_changelists_cost_a_bounded_number_of_queries(
    label, shared_scene, admin_client, django_assert_max_num_queries
):
    model = apps.get_model(label)
    assert model.objects.count() >= 2, "the scene should give every list several rows"

    with django_assert_max_num_queries(CHANGELIST_MAX_QUERIES):
        changelist = admin_client.get(admin_url(label, "changelist"))
    with django_assert_max_num_queries(15):
        change = admin_client.get(admin_url(label, "change", model.objects.order_by("pk").last().pk))
    add = admin_client.get(admin_url(label, "add"))

    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count == model.objects.count()
    assert change.status_code == 200
    assert add.status_code == (403 if label in WRITTEN_ONLY_BY_SERVICES else 200)


def test_search_finds_messages_by_channel_id_and_text(shared_scene, admin_client):
    by_channel = admin_client.get(admin_url("chat.Message", "changelist"), {"q": shared_scene.project.public_id})
    by_text = admin_client.get(admin_url("chat.Message", "changelist"), {"q": "psst"})

    assert {m.pk for m in by_channel.context["cl"].result_list} == set(
        shared_scene.project.messages.values_list("pk", flat=True)
    )
    assert [m.text for m in by_text.context["cl"].result_list] == ["psst"]


def test_public_ids_seq_and_ts_are_read_only(shared_scene, admin_client):
    channel_form = (
        admin_client.get(admin_url("chat.Channel", "change", shared_scene.project.pk)).context["adminform"].form
    )
    user_form = (
        admin_client.get(admin_url("accounts.User", "change", shared_scene.team.member.pk)).context["adminform"].form
    )

    assert {"public_id", "last_seq", "last_ts", "kind", "workspace"}.isdisjoint(channel_form.fields)
    assert "public_id" not in user_form.fields


def test_messages_offer_no_plain_delete(shared_scene, admin_client):
    response = admin_client.get(admin_url("chat.Message", "changelist"))
    actions = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert "delete_leaving_tombstones" in actions


@pytest.mark.parametrize(
    ("label", "fields"),
    [
        ("chat.Channel", ["workspace", "creator"]),
        ("chat.ChannelMember", ["channel", "user"]),
        ("workspaces.Workspace", ["owner"]),
        ("workspaces.Membership", ["workspace", "user"]),
        ("accounts.ApiToken", ["user", "workspace"]),
    ],
)
def test_add_forms_search_for_people_and_places_instead_of_listing_them_all(label, fields, admin_client):
    form = admin_client.get(admin_url(label, "add")).context["adminform"].form
    for name in fields:
        widget = form.fields[name].widget
        assert isinstance(getattr(widget, "widget", widget), AutocompleteSelect), name  # unwrap the "+" links


def test_the_creator_search_finds_people_by_email(shared_scene, admin_client):
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "chat",
            "model_name": "channel",
            "field_name": "created_by",
            "term": shared_scene.team.member.email,
        },
    )
    assert [row["id"] for row in response.json()["results"]] == [str(shared_scene.team.member.pk)]
