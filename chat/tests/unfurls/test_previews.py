"""The server's link previews: fetched through slackclone.outgoing after the message commits, parsed with
bounds, cached per URL, images re-served from our origin; refused addresses fetch nothing; off switches."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from chat.models import Message
from chat.services import message_post
from chat.unfurls.html_meta import parse_page
from chat.unfurls.models import LinkPreview, PreviewImage
from chat.unfurls.previews import IMAGE_MAX_BYTES, PAGE_MAX_BYTES, preview_message
from integrations.services import webhook_create
from slackclone.testing.api import session_client
from slackclone.testing.http_recorder import Answer, recording_server
from slackclone.testing.images import image_bytes
from workspaces.services import workspace_set_link_previews

pytestmark = pytest.mark.django_db

PNG = image_bytes((40, 30))
PAGE = b"""<!doctype html><html><head>
<title>Fallback title</title>
<meta property="og:title" content="The &amp; Page">
<meta name="description" content="What it is about.">
<meta property="og:image" content="/picture.png">
<meta property="og:site_name" content="Example Site">
</head><body><p>Hello</p></body></html>"""


def html(body: bytes = PAGE, status: int = 200, **headers: str) -> Answer:
    return Answer(status, {"Content-Type": "text/html; charset=utf-8", **headers}, body)


def png(body: bytes = PNG) -> Answer:
    return Answer(200, {"Content-Type": "image/png"}, body)


@pytest.fixture
def site():
    """A local web site: each test says what each path answers."""
    with recording_server() as server:
        server.pages = {"/page": html(), "/picture.png": png()}
        server.respond = lambda received: server.pages.get(received.path.split("?")[0], Answer(404))
        yield server


def fetched(server) -> list[str]:
    return [received.path for received in server.received]


def post_and_preview(team, text: str, **post_args):
    message = message_post(sender=team.member, channel=team.general, text=text, **post_args)
    preview_message(message.pk)
    message.refresh_from_db()
    return message


def test_a_page_preview_shows_title_description_site_and_an_image_from_our_origin(team, site, sent_events):
    message = post_and_preview(team, f"look at {site.url}/page")
    (attachment,) = message.legacy_attachments
    assert attachment["from_url"] == attachment["original_url"] == attachment["title_link"] == f"{site.url}/page"
    assert (attachment["title"], attachment["text"], attachment["service_name"]) == (
        "The & Page",
        "What it is about.",
        "Example Site",
    )
    assert attachment["fallback"] == "Example Site: The & Page"
    image = PreviewImage.objects.get()
    assert attachment["image_url"].endswith(f"/api/v1/link-previews/{image.key}")
    assert not attachment["image_url"].startswith(site.url)
    assert fetched(site) == ["/page", "/picture.png"]
    changed = [e for e in sent_events.of_type("message") if e.get("subtype") == "message_changed"]
    assert changed[-1]["message"]["attachments"][0]["from_url"] == f"{site.url}/page"


def test_the_preview_image_is_served_from_our_origin_with_safe_headers(team, site):
    post_and_preview(team, f"{site.url}/page")
    image = PreviewImage.objects.get()
    response = session_client(team.other_member).get(f"/api/v1/link-previews/{image.key}", HTTP_ACCEPT="image/*")
    assert response.status_code == 200
    assert response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert session_client(None).get(f"/api/v1/link-previews/{image.key}").status_code in (401, 403)
    assert session_client(team.member).get("/api/v1/link-previews/nope").status_code == 404


def test_posting_queues_the_preview_after_commit(team, site, django_capture_on_commit_callbacks):
    with override_settings(LINK_PREVIEWS=True), django_capture_on_commit_callbacks(execute=True):
        message = message_post(sender=team.member, channel=team.general, text=f"<{site.url}/page|the page>")
    message.refresh_from_db()
    assert message.legacy_attachments[0]["title"] == "The & Page"


def test_the_global_switch_and_unfurl_links_false_queue_nothing(team, site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message_post(sender=team.member, channel=team.general, text=f"{site.url}/page")
    with override_settings(LINK_PREVIEWS=True), django_capture_on_commit_callbacks(execute=True):
        message_post(sender=team.member, channel=team.general, text=f"{site.url}/page", unfurl_links=False)
    assert fetched(site) == []


def test_unfurl_media_false_shows_no_image(team, site):
    message = message_post(sender=team.member, channel=team.general, text=f"{site.url}/page")
    preview_message(message.pk, media=False)
    message.refresh_from_db()
    assert "image_url" not in message.legacy_attachments[0]


def test_a_workspace_that_turned_previews_off_fetches_nothing(team, site):
    workspace_set_link_previews(actor=team.admin, workspace=team.workspace, enabled=False)
    message = post_and_preview(team, f"{site.url}/page")
    assert message.legacy_attachments == []
    assert fetched(site) == []


def test_only_admins_turn_previews_off(team):
    from slackclone.errors import DomainError

    with pytest.raises(DomainError) as refused:
        workspace_set_link_previews(actor=team.member, workspace=team.workspace, enabled=False)
    assert refused.value.code == "restricted_action"
    team.workspace.refresh_from_db()
    assert team.workspace.link_previews is True


def test_the_admin_settings_page_turns_previews_off(team):
    from slackclone.testing.web import web_client

    client = web_client(team.admin)
    response = client.post(f"/{team.workspace.slug}/admin/settings/link-previews/", {})
    assert response.status_code == 302
    team.workspace.refresh_from_db()
    assert team.workspace.link_previews is False
    assert "Link previews" in client.get(f"/{team.workspace.slug}/admin/settings/").content.decode()


def test_a_refused_address_is_never_fetched(team, site):
    with override_settings(OUTGOING_ALLOWED_NETWORKS=[]):
        message = post_and_preview(team, f"{site.url}/page http://169.254.169.254/latest/meta-data/")
    assert message.legacy_attachments == []
    assert fetched(site) == []
    assert set(LinkPreview.objects.values_list("failure", flat=True)) == {"forbidden_address"}


def test_a_redirect_to_a_private_address_is_refused(team, site):
    site.pages["/page"] = Answer(302, {"Location": "http://10.1.2.3/admin"})
    message = post_and_preview(team, f"{site.url}/page")
    assert message.legacy_attachments == []
    assert fetched(site) == ["/page"]
    assert LinkPreview.objects.get().failure == "forbidden_address"


def test_redirects_are_followed_at_most_three_times(team, site):
    site.pages.update({f"/r{n}": Answer(302, {"Location": f"/r{n + 1}"}) for n in range(4)})
    site.pages["/r4"] = html()
    message = post_and_preview(team, f"{site.url}/r0")
    assert message.legacy_attachments == []
    assert LinkPreview.objects.get().failure == "too_many_redirects"
    site.received.clear()
    LinkPreview.objects.all().delete()
    message = post_and_preview(team, f"{site.url}/r1")
    assert message.legacy_attachments[0]["title"] == "The & Page"
    assert fetched(site)[:4] == ["/r1", "/r2", "/r3", "/r4"]


def test_a_page_that_is_not_html_gives_no_preview(team, site):
    site.pages["/page"] = Answer(200, {"Content-Type": "application/json"}, b'{"title": "no"}')
    message = post_and_preview(team, f"{site.url}/page")
    assert message.legacy_attachments == []
    assert LinkPreview.objects.get().failure == "not_html"


def test_an_oversized_page_gives_no_preview(team, site):
    site.pages["/page"] = html(PAGE + b" " * PAGE_MAX_BYTES)
    message = post_and_preview(team, f"{site.url}/page")
    assert message.legacy_attachments == []
    assert LinkPreview.objects.get().failure == "too_large"


def test_an_oversized_or_mislabelled_image_is_left_out(team, site):
    site.pages["/picture.png"] = png(PNG + b"\0" * IMAGE_MAX_BYTES)
    message = post_and_preview(team, f"{site.url}/page")
    assert message.legacy_attachments[0]["title"] == "The & Page"
    assert "image_url" not in message.legacy_attachments[0]
    LinkPreview.objects.all().delete()
    site.pages["/picture.png"] = Answer(200, {"Content-Type": "image/png"}, b"<svg onload=alert(1)>")
    message = post_and_preview(team, f"{site.url}/page?again")
    assert "image_url" not in message.legacy_attachments[0]
    assert PreviewImage.objects.count() == 0


def test_a_cached_preview_is_not_fetched_again_until_it_is_stale(team, site):
    post_and_preview(team, f"{site.url}/page")
    assert fetched(site) == ["/page", "/picture.png"]
    message = post_and_preview(team, f"again {site.url}/page")
    assert message.legacy_attachments[0]["title"] == "The & Page"
    assert fetched(site) == ["/page", "/picture.png"]
    LinkPreview.objects.update(fetched_at=timezone.now() - timedelta(hours=25))
    post_and_preview(team, f"once more {site.url}/page")
    assert fetched(site).count("/page") == 2


def test_a_failure_is_remembered_for_an_hour(team, site):
    site.pages["/page"] = Answer(500)
    post_and_preview(team, f"{site.url}/page")
    post_and_preview(team, f"{site.url}/page again")
    LinkPreview.objects.update(fetched_at=timezone.now() - timedelta(minutes=59))
    post_and_preview(team, f"{site.url}/page once more")
    assert fetched(site) == ["/page"]
    LinkPreview.objects.update(fetched_at=timezone.now() - timedelta(minutes=61))
    post_and_preview(team, f"{site.url}/page and again")
    assert fetched(site) == ["/page", "/page"]


def test_only_the_first_three_links_are_previewed(team, site):
    for n in range(5):
        site.pages[f"/p{n}"] = html(f"<title>Page {n}</title>".encode())
    message = post_and_preview(team, " ".join(f"{site.url}/p{n}" for n in range(5)))
    assert [a["title"] for a in message.legacy_attachments] == ["Page 0", "Page 1", "Page 2"]


# --- Removing a preview -------------------------------------------------------------------------------


def test_the_author_removes_a_preview_from_their_message(team, site, sent_events):
    message = post_and_preview(team, f"{site.url}/page")
    url = f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}/unfurls"
    response = session_client(team.member).delete(url, {"url": f"{site.url}/page"}, format="json")
    assert response.status_code == 200
    assert "attachments" not in response.json()["message"]
    message.refresh_from_db()
    assert message.legacy_attachments == []
    assert sent_events.of_type("message")[-1]["subtype"] == "message_changed"


def test_someone_else_cannot_remove_a_preview(team, site):
    message = post_and_preview(team, f"{site.url}/page")
    url = f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}/unfurls"
    response = session_client(team.other_member).delete(url, {"url": f"{site.url}/page"}, format="json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "cant_update_message")
    response = session_client(team.guest).delete(url, {"url": f"{site.url}/page"}, format="json")
    assert response.status_code == 404
    message.refresh_from_db()
    assert len(message.legacy_attachments) == 1


def test_removing_a_preview_that_is_not_there_is_message_not_found(team):
    message = message_post(sender=team.member, channel=team.general, text="no links")
    url = f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}/unfurls"
    response = session_client(team.member).delete(url, {"url": "https://example.com/"}, format="json")
    assert response.status_code == 404


# --- The parser -----------------------------------------------------------------------------------------


def test_the_parser_reads_open_graph_twitter_title_and_description():
    meta = parse_page(
        b"<HEAD><TITLE>T &lt;1&gt;</TITLE><meta name='twitter:description' content='tw'>"
        b"<meta name=twitter:image content=https://x.example/i.png></HEAD>"
        b"<body><meta property=og:title content=late></body>"
    )
    assert (meta.title, meta.description, meta.image) == ("T <1>", "tw", "https://x.example/i.png")
    assert parse_page(b"<!-- <title>hidden</title> --><title>shown</title>").title == "shown"


@pytest.mark.parametrize(
    "adversarial",
    [
        b'<meta content="' + b"a" * 40_000,
        b"<meta " + b"a=" * 20_000,
        b"<a" * 20_000,
        b"<!--" * 10_000,
        b"<meta " + b"'\"" * 20_000 + b">",
        b"<title>" + b"<" * 40_000,
    ],
)
def test_the_parser_takes_linear_time_on_a_40000_character_adversarial_page(adversarial):
    started = time.perf_counter()
    parse_page(adversarial)
    assert time.perf_counter() - started < 0.5  # html.parser takes seconds on "<a<a<a…" of this size


def test_the_client_removes_a_preview_by_its_link_in_the_query(team, site):
    message = post_and_preview(team, f"{site.url}/page")
    url = f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}/unfurls?url={site.url}/page"
    assert session_client(team.member).delete(url).status_code == 200
    message.refresh_from_db()
    assert message.legacy_attachments == []


def test_editing_the_text_keeps_the_preview(team, site):
    from chat.services import message_edit

    message = post_and_preview(team, f"{site.url}/page")
    message_edit(actor=team.member, message=message, text=f"edited: {site.url}/page")
    message.refresh_from_db()
    assert message.legacy_attachments[0]["from_url"] == f"{site.url}/page"


def test_someone_of_another_workspace_cannot_remove_a_preview(team, site, outsider):
    message = post_and_preview(team, f"{site.url}/page")
    url = f"/api/v1/channels/{team.general.public_id}/messages/{message.ts}/unfurls?url={site.url}/page"
    assert session_client(outsider).delete(url).status_code == 404
    message.refresh_from_db()
    assert len(message.legacy_attachments) == 1


def test_the_same_image_fetched_again_is_stored_once(team, site):
    post_and_preview(team, f"{site.url}/page")
    LinkPreview.objects.update(fetched_at=timezone.now() - timedelta(hours=25))
    message = post_and_preview(team, f"{site.url}/page")
    assert PreviewImage.objects.count() == 1
    assert message.legacy_attachments[0]["image_url"].endswith(PreviewImage.objects.get().key)


def test_a_webhook_post_turns_previews_and_their_images_off_as_slack_does(
    client, team, site, django_capture_on_commit_callbacks
):
    webhook, secret = webhook_create(actor=team.admin, channel=team.general, name="Deploys")

    def send(**payload):
        with override_settings(LINK_PREVIEWS=True), django_capture_on_commit_callbacks(execute=True):
            response = client.post(webhook.url_path(secret), payload, content_type="application/json")
        assert response.status_code == 200
        return Message.objects.filter(channel=team.general).latest("seq")

    assert send(text=f"{site.url}/page", unfurl_links=False).legacy_attachments == []
    assert fetched(site) == []
    without_image = send(text=f"{site.url}/page", unfurl_media=False).legacy_attachments
    assert without_image[0]["title"] == "The & Page"
    assert "image_url" not in without_image[0]


def test_an_edit_that_adds_links_previews_only_those(team, site, django_capture_on_commit_callbacks):
    from chat.services import message_edit

    site.pages["/other"] = html(PAGE.replace(b"The &amp; Page", b"The Other Page"))
    message = post_and_preview(team, f"{site.url}/page")
    with override_settings(LINK_PREVIEWS=True), django_capture_on_commit_callbacks(execute=True):
        message_edit(actor=team.member, message=message, text=f"{site.url}/page and {site.url}/other")
    message.refresh_from_db()
    assert [attachment["title"] for attachment in message.legacy_attachments] == ["The & Page", "The Other Page"]
    assert fetched(site).count("/page") == 1


def test_an_edit_that_adds_no_link_queues_nothing(team, site, django_capture_on_commit_callbacks):
    from chat.services import message_edit

    message = post_and_preview(team, f"{site.url}/page")
    with override_settings(LINK_PREVIEWS=True), django_capture_on_commit_callbacks() as callbacks:
        message_edit(actor=team.member, message=message, text=f"now: {site.url}/page")
        message_edit(actor=team.member, message=message, text="no link at all")
    queued = [callback for callback in callbacks if "on_message_edited" in callback.__qualname__]
    assert queued == []


def test_an_edit_never_brings_the_previews_past_three(team, site):
    from chat.services import message_edit

    for path in ("/a", "/b", "/c", "/d"):
        site.pages[path] = html()
    message = post_and_preview(team, f"{site.url}/a {site.url}/b {site.url}/c")
    message = message_edit(
        actor=team.member, message=message, text=f"{site.url}/a {site.url}/b {site.url}/c {site.url}/d"
    )
    preview_message(message.pk, urls=[f"{site.url}/d"])
    message.refresh_from_db()
    assert [attachment["from_url"] for attachment in message.legacy_attachments] == [
        f"{site.url}/{path}" for path in ("a", "b", "c")
    ]


def test_a_forwarded_messages_share_is_no_preview_and_takes_no_place_of_one(team, site):
    from chat.services import message_forward

    source = message_post(sender=team.member, channel=team.general, text="the original")
    copy = message_forward(actor=team.owner, message=source, channel=team.random, comment=f"see {site.url}/page")
    preview_message(copy.pk)
    copy.refresh_from_db()
    assert [bool(attachment.get("is_share")) for attachment in copy.legacy_attachments] == [True, False]
    assert copy.legacy_attachments[1]["title"] == "The & Page"
    share_link = copy.legacy_attachments[0]["from_url"]
    url = f"/api/v1/channels/{team.random.public_id}/messages/{copy.ts}/unfurls?url={share_link}"
    assert session_client(team.owner).delete(url).status_code == 404
    copy.refresh_from_db()
    assert len(copy.legacy_attachments) == 2
