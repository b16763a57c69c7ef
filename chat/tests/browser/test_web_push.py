"""The installable app in Chromium: the service worker keeps the client shell, so a reload with no network
shows the client with its offline banner, and a message typed then waits and is sent once when the network
is back; the desktop notifications setting subscribes this device, a DM then reaches the device's push
endpoint encrypted, with no page open, and signing out forgets the device.

Headless Chromium has no push service to subscribe at, so the page's PushManager is given a subscription the
test made (its endpoint the test's push service on loopback, its keys the test's): everything around it, the
permission, the server's VAPID key, the subscription sent to the server, and the push encrypted to those
keys, is the real thing.
"""

from __future__ import annotations

import json

import pytest

from chat.models import Message
from chat.services import dm_open, message_post
from chat.tests.browser.conftest import elsewhere
from chat.tests.browser.test_client import COMPOSER, channel_path, message
from notifications.models import PushSubscription
from notifications.tests.push_service import BrowserKeys, PushService
from notifications.webpush import b64url_decode, vapid_public_key
from slack_apps.tests.support import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

# PushManager as a browser with a push service would answer (for every page of the context): the subscription
# the test made, and the applicationServerKey the page asked with, kept for the test to read.
FAKE_PUSH_MANAGER = """
(() => {
  const sub = %s;
  const make = () => ({
    endpoint: sub.endpoint,
    toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: sub.keys }),
    unsubscribe: async () => { localStorage.removeItem("test-push-subscribed"); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    window.pushKeyAsked = Array.from(new Uint8Array(options.applicationServerKey));
    localStorage.setItem("test-push-subscribed", "1");
    return make();
  };
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem("test-push-subscribed") ? make() : null;
  };
})();
"""


def wait_for_the_service_worker(person) -> None:
    """Until the worker the client registered is active (navigator.serviceWorker.ready)."""
    person.page.evaluate("async () => { await navigator.serviceWorker.ready; }")


def test_offline_the_shell_opens_with_a_banner_and_a_message_waits_then_goes_once(team, people):
    [person] = people(team.member)
    person.open(channel_path(team, team.general))
    wait_for_the_service_worker(person)
    person.open(channel_path(team, team.general))  # now through the worker, which keeps what the client reads
    assert person.page.evaluate("() => navigator.serviceWorker.controller !== null")

    person.context.set_offline(True)
    person.page.reload()
    person.page.wait_for_selector("body.client-ready")
    banner = person.page.locator("#connection")
    banner.wait_for()
    assert "offline" in banner.inner_text().lower()
    person.page.locator(".channel-header", has_text="general").wait_for()

    person.page.fill(COMPOSER, "typed on the train")
    person.page.press(COMPOSER, "Enter")
    message(person, "typed on the train").locator(".msg__status--waiting").wait_for()
    person.screenshot("offline")
    assert not Message.objects.filter(text="typed on the train").exists()

    person.context.set_offline(False)
    assert wait_until(lambda: Message.objects.filter(text="typed on the train").exists(), timeout=15)
    message(person, "typed on the train").locator(".msg__status").wait_for(state="detached")
    sent = Message.objects.get(text="typed on the train")
    assert sent.author_id == team.member.pk
    person.page.wait_for_timeout(500)  # a second send would have landed by now
    assert sent.client_msg_id
    assert Message.objects.filter(client_msg_id=sent.client_msg_id).count() == 1
    assert Message.objects.filter(text="typed on the train").count() == 1
    # The errors of the offline minute (failed fetches, the socket) are the point of the test.
    person.errors.clear()


def test_desktop_notifications_setting_subscribes_this_device_and_a_dm_is_pushed_with_no_page_open(team, people):
    keys = BrowserKeys()
    with PushService() as push_service:
        endpoint = push_service.url("/push/chromium")
        [person] = people(team.member)
        person.context.grant_permissions(["notifications"])
        subscription = {"endpoint": endpoint, "keys": {"p256dh": keys.p256dh, "auth": keys.auth}}
        person.context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(subscription))
        person.open(channel_path(team, team.general))
        wait_for_the_service_worker(person)

        person.page.click("#workspace-button")
        person.page.click("#desktop-notifications-item")
        box = person.page.locator("#push-this-device")
        box.check()
        person.page.locator("#push-status", has_text="On for this device").wait_for()
        person.screenshot("push-settings")
        asked = person.page.evaluate("() => window.pushKeyAsked")
        assert bytes(asked) == b64url_decode(vapid_public_key())
        row = PushSubscription.objects.get(user=team.member)
        assert (row.endpoint, row.p256dh, row.enabled) == (endpoint, keys.p256dh, True)

        person.page.close()  # no page open: the push still reaches the device
        dm, _ = elsewhere(dm_open, actor=team.owner, workspace=team.workspace, users=[team.member])
        elsewhere(message_post, sender=team.owner, channel=dm, text="the build is green")
        assert wait_until(lambda: push_service.received, timeout=10)
        payload = keys.decrypt(push_service.received[0].body)
        assert (payload["title"], payload["body"], payload["reason"]) == (team.owner.name, "the build is green", "dm")
        assert payload["url"].startswith(f"/{team.workspace.slug}/archives/{dm.public_id}/p")

        page = person.context.new_page()
        page.goto(channel_path(team, team.general))
        page.wait_for_selector("body.client-ready")
        page.click("#workspace-button")
        page.click("#desktop-notifications-item")
        page.locator("#push-status", has_text="On for this device").wait_for()
        page.locator("#push-this-device").uncheck()
        page.locator("#push-status", has_text="Off for this device").wait_for()
        assert not PushSubscription.objects.get(user=team.member).enabled

        page.keyboard.press("Escape")
        page.click("#workspace-button")
        page.locator("#workspace-menu button", has_text="Sign out").click()
        page.wait_for_url("**/accounts/login/**")
        assert not PushSubscription.objects.filter(user=team.member).exists(), "signing out forgets the device"
