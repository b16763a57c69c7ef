"""Accessibility: axe-core (node_modules/axe-core, pinned in package.json) audits every kind of page in light
and dark mode, and the main actions of the client work from the keyboard alone.

axe checks what a machine can: contrast, names, labels, roles, landmarks. A violation of impact "serious" or
"critical" fails the test; minor and moderate ones are printed, and docs/accessibility.md lists those left.
Each audit test signs one person in once and walks through its pages, so the whole module stays a few
browser sessions long.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from accounts.services import user_set_theme
from chat.services import channel_join, message_post, reaction_add
from chat.tests.browser.conftest import BASE_DIR, elsewhere
from chat.tests.browser.test_client import channel_path, message

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

AXE = Path(BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 levels A and AA, and axe's best practices (landmarks, headings, one main per page).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
THEMES = ["light", "dark"]

RUN_AXE = """async (tags) => {
  const options = { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] };
  const results = await window.axe.run(document, options);
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


class Audit:
    """The violations axe found on each page visited, kept until the end so one run reports them all."""

    def __init__(self, theme: str) -> None:
        self.theme = theme
        self.failures: list[str] = []
        self.minor: list[str] = []

    def check(self, page, name: str) -> None:
        if not AXE.exists():
            pytest.fail(f"{AXE} is missing: `make node-modules` installs it from package-lock.json.")
        if not page.evaluate("() => Boolean(window.axe)"):
            page.add_script_tag(path=str(AXE))
        for violation in page.evaluate(RUN_AXE, AXE_TAGS):
            lines = [f"[{self.theme}] {name}: {violation['id']} ({violation['impact']}) {violation['help']}"]
            lines += [f"    {node['target']}: {node['summary']}" for node in violation["nodes"][:8]]
            report = self.failures if violation["impact"] in FAILING_IMPACTS else self.minor
            report.append("\n".join(lines))

    def assert_clean(self) -> None:
        if self.minor:
            print("\n".join(["Minor and moderate violations:", *self.minor]))
        assert not self.failures, "\n" + "\n".join(self.failures)


def themed(person, theme: str) -> None:
    """The person's chosen theme, and the same system setting, so nothing depends on which one wins."""
    elsewhere(user_set_theme, actor=person.user, theme=theme)
    person.page.emulate_media(color_scheme=theme)


@pytest.fixture
def anonymous(chromium, server):
    """A browser context that is signed in as nobody. CSP is bypassed so that axe can be injected."""
    context = chromium.new_context(base_url=server.url, viewport={"width": 1280, "height": 860}, bypass_csp=True)
    yield context.new_page()
    context.close()


def a_lively_channel(team):
    """#general with a few messages, a reaction and a thread, so every kind of row is on the page."""
    root = elsewhere(message_post, sender=team.admin, channel=team.general, text="Release notes are up for review")
    elsewhere(message_post, sender=team.member, channel=team.general, text="Looks good to me", thread_ts=root.ts)
    elsewhere(reaction_add, actor=team.member, message=root, emoji="tada")
    elsewhere(message_post, sender=team.owner, channel=team.general, text="Shipping *today* at `16:00`")
    return root


@pytest.mark.parametrize("theme", THEMES)
def test_the_sign_in_and_sign_up_pages_have_no_serious_violations(anonymous, theme):
    audit = Audit(theme)
    anonymous.emulate_media(color_scheme=theme)
    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        anonymous.goto(path)
        audit.check(anonymous, path)
    anonymous.goto("/accounts/login/")
    anonymous.fill("input[name=username]", "nobody@example.com")
    anonymous.fill("input[name=password]", "wrong password")
    anonymous.click("form button[type=submit]")
    anonymous.wait_for_load_state()
    audit.check(anonymous, "sign-in with an error")
    audit.assert_clean()


@pytest.mark.parametrize("theme", THEMES)
def test_the_client_with_a_thread_and_dialogs_open_has_no_serious_violations(team, people, theme):
    a_lively_channel(team)
    (owner,) = people(team.owner, bypass_csp=True)
    themed(owner, theme)
    owner.open(channel_path(team, team.general))
    page = owner.page
    audit = Audit(theme)
    message(owner, "Shipping").wait_for()
    audit.check(page, "channel")

    row = message(owner, "Release notes are up for review")
    row.hover()
    row.get_by_role("button", name="Reply in thread").click()
    message(owner, "Looks good to me", scope="#thread-pane").wait_for()
    audit.check(page, "channel and thread")

    row.hover()
    row.locator("button[aria-label='More actions']").click()
    page.locator("#message-menu").wait_for()
    audit.check(page, "message menu")
    page.keyboard.press("Escape")

    row.hover()
    row.locator(".msg__actions button[aria-label='Add reaction']").click()
    page.locator("#emoji-picker").wait_for()
    audit.check(page, "emoji picker")
    page.keyboard.press("Escape")

    page.click("button[aria-label='Channel details']")
    page.locator("#details-pane:not([hidden])").wait_for()
    audit.check(page, "channel details")

    page.get_by_role("button", name="Create a channel").first.click()
    page.locator("dialog[open]").wait_for()
    audit.check(page, "create a channel dialog")
    page.keyboard.press("Escape")

    page.locator("#sidebar .side-item", has_text="Browse channels").click()
    page.locator("dialog[open] .browse-list li:not(.loading)").first.wait_for()
    audit.check(page, "browse channels dialog")
    page.keyboard.press("Escape")

    row.locator(".msg__author").click()
    page.locator("dialog[open] .profile-card").wait_for()
    audit.check(page, "profile dialog")
    page.keyboard.press("Escape")

    page.click("#workspace-button")
    page.locator("#workspace-menu:not([hidden])").wait_for()
    audit.check(page, "workspace menu")
    page.keyboard.press("Escape")

    page.click("#switcher-button")
    page.locator("dialog[open]").wait_for()
    audit.check(page, "quick switcher")
    page.keyboard.press("Escape")

    page.fill("#search-input", "release")
    page.press("#search-input", "Enter")
    page.locator("#search-view .result").first.wait_for()
    audit.check(page, "search results")
    audit.assert_clean()


@pytest.mark.parametrize("theme", THEMES)
def test_the_admin_and_account_pages_have_no_serious_violations(team, people, theme):
    (owner,) = people(team.owner, bypass_csp=True)
    themed(owner, theme)
    slug = team.workspace.slug
    audit = Audit(theme)
    for path in (
        f"/{slug}/admin/members/",
        f"/{slug}/admin/invitations/",
        f"/{slug}/admin/settings/",
        f"/{slug}/admin/emoji/",
        f"/{slug}/admin/integrations/",
        f"/{slug}/admin/apps/",
        f"/{slug}/admin/audit/",
        "/accounts/workspaces/",
        "/accounts/profile/",
        "/accounts/preferences/",
        "/accounts/security/",
        "/accounts/tokens/",
        "/new/",
    ):
        response = owner.page.goto(path)
        assert response.ok, (path, response.status)
        audit.check(owner.page, path)
    audit.assert_clean()


ACTIVE = "() => { const e = document.activeElement; return e ? e.outerHTML.slice(0, 160) : ''; }"


def focus_is(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement?.matches(s) ?? false", selector)


def focus_comes_to(page, selector: str) -> None:
    """The focus reaches `selector` within a second: a dialog's close event, a task after its close(),
    gives the focus back when the element that opened it was redrawn meanwhile."""
    try:
        page.wait_for_function("s => document.activeElement?.matches(s)", arg=selector, timeout=1000)
    except PlaywrightTimeoutError:
        raise AssertionError(f"the focus never came to {selector}; it is on {page.evaluate(ACTIVE)}") from None


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the focus is on `selector`, as someone without a mouse would."""
    for _ in range(limit):
        if focus_is(page, selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    assert focus_is(page, selector), f"Tab never reached {selector}; the focus is on {page.evaluate(ACTIVE)}"


def composer_names(page, channel: str) -> None:
    page.wait_for_function(
        "name => document.querySelector('#composer textarea').getAttribute('aria-label').includes(name)", arg=channel
    )


def test_moving_reacting_replying_and_closing_a_dialog_work_from_the_keyboard_alone(team, people):
    elsewhere(message_post, sender=team.admin, channel=team.general, text="The release is out")
    (owner,) = people(team.owner)
    owner.open(channel_path(team, team.general))
    page = owner.page
    row = message(owner, "The release is out")
    row.wait_for()

    # Alt+↓ and Alt+↑ move through the sidebar's conversations.
    page.focus("#composer textarea")
    page.keyboard.press("Alt+ArrowDown")
    composer_names(page, "random")
    page.keyboard.press("Alt+ArrowUp")
    composer_names(page, "general")
    row.wait_for()

    # From the message list to a message, into its toolbar, its menu, and back.
    tab_to(page, "#messages", backwards=True)
    page.keyboard.press("ArrowUp")
    assert focus_is(page, "#message-list .msg:last-child")
    tab_to(page, "#message-list .msg:last-child button[aria-label='More actions']")
    page.keyboard.press("Enter")
    assert focus_is(page, "#message-menu .menu__item")
    page.keyboard.press("ArrowDown")  # the thread's follow item is in its place before the server answers
    assert page.evaluate("() => document.activeElement.textContent") == "Follow thread"
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.textContent") == "Save for later"
    page.keyboard.press("Enter")
    row.locator(".msg__saved").wait_for()
    assert focus_is(page, "#message-list .msg:last-child button[aria-label='More actions']"), page.evaluate(ACTIVE)

    # A reaction from the picker: type its name, Enter.
    tab_to(page, "#message-list .msg:last-child button[aria-label='Add reaction']", backwards=True)
    page.keyboard.press("Enter")
    assert focus_is(page, ".picker input")
    page.keyboard.type("tada")
    page.keyboard.press("Enter")
    row.locator(".reaction", has_text="1").wait_for()
    assert focus_is(page, "#message-list .msg:last-child *"), page.evaluate(ACTIVE)

    # Open its thread, reply, and Escape back to the channel's composer.
    tab_to(page, "#message-list .msg:last-child button[aria-label='Reply in thread']")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement?.matches('#thread-pane textarea')")
    page.keyboard.type("Congratulations, everyone")
    page.keyboard.press("Enter")
    message(owner, "Congratulations, everyone", scope="#thread-pane").wait_for()
    page.keyboard.press("Escape")
    page.locator("#thread-pane").wait_for(state="hidden")
    assert focus_is(page, "#composer textarea"), page.evaluate(ACTIVE)

    # A dialog opened from a button closes with Escape and gives the focus back to that button.
    tab_to(page, "#sidebar button[aria-label='Create a channel']", backwards=True, limit=120)
    page.keyboard.press("Enter")
    page.locator("dialog[open]").wait_for()
    assert focus_is(page, "dialog[open] input"), page.evaluate(ACTIVE)
    page.keyboard.press("Escape")
    page.locator("dialog[open]").wait_for(state="detached")
    focus_comes_to(page, "#sidebar button[aria-label='Create a channel']")

    # The quick switcher (Ctrl+K) opens a channel by name.
    page.keyboard.press("Control+k")
    page.locator("dialog[open] input").wait_for()
    page.keyboard.type("random")
    page.keyboard.press("Enter")
    composer_names(page, "random")


def test_a_dialog_gives_the_focus_back_to_its_sidebar_button_though_the_sidebar_was_redrawn_meanwhile(team, people):
    channel_join(actor=team.admin, channel=team.random)
    (owner,) = people(team.owner)
    owner.open(channel_path(team, team.general))
    page = owner.page
    button = "#sidebar button[aria-label='Create a channel']"
    page.focus(button)
    page.keyboard.press("Enter")
    page.locator("dialog[open]").wait_for()
    opener = page.query_selector(button)

    # A message elsewhere makes #random unread: the sidebar is drawn again, its buttons replaced.
    elsewhere(message_post, sender=team.admin, channel=team.random, text="Lunch is here")
    page.locator(f".side-item--unread[data-channel='{team.random.public_id}']").wait_for()
    assert not opener.evaluate("node => node.isConnected")

    page.keyboard.press("Escape")
    page.locator("dialog[open]").wait_for(state="detached")
    focus_comes_to(page, button)


def test_the_keyboard_focus_stays_on_a_sidebar_conversation_while_the_sidebar_is_redrawn(team, people):
    channel_join(actor=team.admin, channel=team.random)
    (owner,) = people(team.owner)
    owner.open(channel_path(team, team.general))
    page = owner.page
    random = f"#sidebar a[data-channel='{team.random.public_id}']"
    page.focus(random)

    elsewhere(message_post, sender=team.admin, channel=team.random, text="Lunch is here")
    page.locator(f".side-item--unread[data-channel='{team.random.public_id}']").wait_for()
    assert focus_is(page, random), page.evaluate(ACTIVE)
    page.keyboard.press("Enter")
    composer_names(page, "random")
