"""Sidebar sections in Chromium: a section created, a channel dragged into it (the person's other tab follows
live), the section sorted by name, collapsed (which survives a reload); a channel moved from the keyboard
with "Move to section…", the section deleted (the channel goes back to Channels), and Unreads at the top."""

from __future__ import annotations

import pytest

from chat.models import SidebarPlacement, SidebarSection
from chat.services import channel_create, channel_invite, message_post
from chat.tests.browser.conftest import PUSH_TIMEOUT_MS, elsewhere
from chat.tests.browser.test_client import channel_path

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _section(page, name: str):
    return page.locator(".side-section", has=page.locator(".side-section__toggle", has_text=name))


def _laid_out_height(page, name: str) -> float:
    """The height of a section's list, read in one step in the page: the live update that follows a drag
    re-renders the sidebar, so a box read through an element handle can find that element gone."""
    return page.wait_for_function(
        """name => {
            const section = [...document.querySelectorAll('.side-section')]
                .find(s => s.querySelector('.side-section__toggle')?.textContent.includes(name));
            const height = section?.querySelector('.side-list')?.getBoundingClientRect().height;
            return height > 0 ? height : null;
        }""",
        arg=name,
    ).json_value()


def _names(section) -> list[str]:
    return [text.strip() for text in section.locator(".side-item__name").all_inner_texts()]


def test_create_a_section_drag_channels_in_sort_collapse_and_reload(team, people):
    zebra = elsewhere(channel_create, actor=team.owner, workspace=team.workspace, name="zebra")
    elsewhere(channel_invite, actor=team.owner, channel=zebra, users=[team.member])
    tab, other_tab = people(team.member, team.member)
    for person in (tab, other_tab):
        person.open(channel_path(team, team.general))
    page = tab.page

    page.get_by_role("button", name="Create a section").click()
    page.locator("#section-name").fill("Projects")
    page.locator("dialog button[type=submit]").click()
    projects = _section(page, "Projects")
    projects.locator(".side-list__empty").wait_for()
    _section(other_tab.page, "Projects").wait_for(timeout=PUSH_TIMEOUT_MS)

    page.locator(f"li[data-channel='{zebra.public_id}']").drag_to(projects.locator(".side-list"))
    projects.locator(f".side-item[data-channel='{zebra.public_id}']").wait_for()
    # The move is confirmed once the other tab has heard of it: the next one is not sent while this one's
    # sidebar_changed is on its way.
    mirrored = _section(other_tab.page, "Projects")
    mirrored.locator(f".side-item[data-channel='{zebra.public_id}']").wait_for(timeout=PUSH_TIMEOUT_MS)
    target = projects.locator(".side-list")
    bottom = {"x": 20, "y": _laid_out_height(page, "Projects") - 2}  # below the middle of the last item: the end
    page.locator(f"li[data-channel='{team.general.public_id}']").drag_to(target, target_position=bottom)
    projects.locator(f".side-item[data-channel='{team.general.public_id}']").wait_for()
    assert _names(projects) == ["zebra", "general"]
    mirrored.locator(f".side-item[data-channel='{team.general.public_id}']").wait_for(timeout=PUSH_TIMEOUT_MS)
    assert _names(mirrored) == ["zebra", "general"]
    section = SidebarSection.objects.get(user=team.member, name="Projects")
    assert list(
        SidebarPlacement.objects.filter(section=section).order_by("position").values_list("channel", flat=True)
    ) == [
        zebra.pk,
        team.general.pk,
    ]

    projects.get_by_role("button", name="Options for Projects").click()
    page.get_by_role("menuitemradio", name="By name").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.side-section')].some(s => s.textContent.includes('Projects') "
        "&& s.querySelector('.side-item__name')?.textContent === 'general')"
    )
    assert _names(projects) == ["general", "zebra"]
    assert "null" not in page.locator("#sidebar-channels").inner_text()
    tab.screenshot("sidebar-sections")

    toggle = projects.locator(".side-section__toggle")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.locator(f".side-item[data-channel='{zebra.public_id}']").click()  # open one, so general is not current
    toggle.click()
    page.locator(".side-section__toggle[aria-expanded='false']", has_text="Projects").wait_for()
    projects.locator(f".side-item[data-channel='{team.general.public_id}']").wait_for(state="detached")
    page.reload()
    page.locator(".side-section__toggle[aria-expanded='false']", has_text="Projects").wait_for()
    assert _names(_section(page, "Projects")) == ["zebra"]  # collapsed: only the open conversation shows


def test_move_a_conversation_from_the_keyboard_and_show_unreads(team, people):
    (tab,) = people(team.member)
    tab.open(channel_path(team, team.general))
    page = tab.page
    page.get_by_role("button", name="Create a section").click()
    page.locator("#section-name").fill("Later")
    page.keyboard.press("Enter")
    later = _section(page, "Later")
    later.wait_for()

    page.locator(f".side-item[data-channel='{team.general.public_id}']").focus()
    page.keyboard.press("Shift+F10")
    page.get_by_role("menuitem", name="Move to section…").click()
    page.locator("dialog .section-choice", has_text="Later").click()
    later.locator(f".side-item[data-channel='{team.general.public_id}']").wait_for()

    later.get_by_role("button", name="Options for Later").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("menuitem", name="Delete section").click()
    later.wait_for(state="detached")
    _section(page, "Channels").locator(f".side-item[data-channel='{team.general.public_id}']").wait_for()

    random = elsewhere(channel_create, actor=team.owner, workspace=team.workspace, name="news")
    elsewhere(channel_invite, actor=team.owner, channel=random, users=[team.member])
    page.get_by_role("button", name="Show Unreads section").click()
    page.locator(".side-section", has_text="Unreads").wait_for()
    elsewhere(message_post, sender=team.owner, channel=random, text="fresh news")
    unreads = page.locator(".side-section").first
    unreads.locator(f".side-item[data-channel='{random.public_id}']").wait_for(timeout=PUSH_TIMEOUT_MS * 3)
    assert "Unreads" in unreads.inner_text()
