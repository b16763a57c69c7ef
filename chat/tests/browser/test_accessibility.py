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

from accounts.services import user_set_theme
from chat.services import message_post, reaction_add
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

    page.click("button[aria-label='Channel details']")
    page.locator("#details-pane:not([hidden])").wait_for()
    audit.check(page, "channel details")

    page.get_by_role("button", name="Create a channel").first.click()
    page.locator("dialog[open]").wait_for()
    audit.check(page, "create a channel dialog")
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
