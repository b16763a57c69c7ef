// An app's page: the DM with its bot gets Home and Messages tabs (a tablist: arrow keys, Home and End
// move between them). Home shows the view the app published for this person (views.publish, live through
// app_home_updated); Messages is the ordinary conversation. Opening a tab tells the app (app_home_opened).

import { clear, h } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { renderBlocks } from "./render/blocks.js";

export const TABS = ["home", "messages"];

/** The tab a key moves to from `current`, or null for a key the tablist does not use. */
export function tabForKey(current, key, tabs = TABS) {
  const index = Math.max(0, tabs.indexOf(current));
  if (key === "ArrowRight") return tabs[(index + 1) % tabs.length];
  if (key === "ArrowLeft") return tabs[(index + tabs.length - 1) % tabs.length];
  if (key === "Home") return tabs[0];
  if (key === "End") return tabs.at(-1);
  return null;
}

export class AppHome {
  constructor(app, modal) {
    this.app = app;
    this.modal = modal; // its viewContext sends clicks in the Home view as block_actions of that view
    this.home = null; // { appId, name, channelId, view }
    this.currentTab = null;
    this.wantHome = null; // the bot whose page should open on its Home tab (its name was clicked)
  }

  /** Someone clicked an app's name: its page, on the Home tab. */
  async openFor(botUserId) {
    this.wantHome = botUserId;
    await this.app.openDm(botUserId);
  }

  /** Called when a conversation opens: a DM with an app's bot gets Home and Messages tabs. */
  async attach(channel) {
    document.getElementById("app-tabs")?.remove();
    document.getElementById("app-home")?.remove();
    this.showMessages(true);
    this.home = null;
    this.currentTab = null;
    const other = channel?.is_im ? (channel.members || []).find((id) => id !== this.app.store.me.id) : null;
    const wantHome = this.wantHome === other;
    this.wantHome = null;
    if (!other || !this.app.store.user(other).is_bot) return;
    let data;
    try {
      data = await this.app.api.get("apps/home", { bot: other });
    } catch {
      return; // a bot that is not an app's (a webhook's, a bot user's): just the DM
    }
    if (this.app.channelView.channelId !== channel.id) return;
    this.home = { appId: data.app.id, name: data.app.name, channelId: channel.id, view: data.view };
    this.renderTabs();
    this.selectTab(wantHome ? "home" : "messages", { focus: wantHome });
  }

  /** app_home_updated: the new view, shown at once if that app's page is open. */
  onEvent(event) {
    if (event.type !== "app_home_updated" || this.home?.appId !== event.app_id) return;
    this.home.view = event.view;
    this.renderHome();
  }

  renderTabs() {
    const tab = (name, label) =>
      h(
        "button",
        {
          type: "button",
          role: "tab",
          id: `app-tab-${name}`,
          class: "app-tabs__tab",
          "aria-controls": name === "home" ? "app-home" : "messages",
          dataset: { tab: name },
          onclick: () => this.selectTab(name),
        },
        label,
      );
    const tabs = h(
      "div",
      { class: "app-tabs", id: "app-tabs", role: "tablist", "aria-label": this.home.name },
      tab("home", gettext("Home")),
      tab("messages", gettext("Messages")),
    );
    tabs.addEventListener("keydown", (event) => {
      const next = tabForKey(this.currentTab, event.key);
      if (!next) return;
      event.preventDefault();
      this.selectTab(next);
    });
    const panel = h("div", {
      class: "app-home",
      id: "app-home",
      role: "tabpanel",
      "aria-labelledby": "app-tab-home",
      hidden: true,
      tabindex: "0",
    });
    document.getElementById("channel-header").after(tabs, panel);
    const messages = document.getElementById("messages");
    messages?.setAttribute("role", "tabpanel");
    messages?.setAttribute("aria-labelledby", "app-tab-messages");
  }

  selectTab(name, { focus = true } = {}) {
    if (!this.home) return;
    if (this.currentTab === name) {
      if (focus) document.getElementById(`app-tab-${name}`)?.focus();
      return;
    }
    this.currentTab = name;
    for (const button of document.querySelectorAll("#app-tabs [role=tab]")) {
      const selected = button.dataset.tab === name;
      button.setAttribute("aria-selected", selected ? "true" : "false");
      button.tabIndex = selected ? 0 : -1;
      if (selected && focus) button.focus();
    }
    document.getElementById("app-home").hidden = name !== "home";
    this.showMessages(name === "messages");
    if (name === "home") this.renderHome();
    const appId = this.home.appId;
    this.app.api
      .post(`apps/${appId}/home/opened`, { tab: name })
      .then((data) => {
        if (this.home?.appId === appId && data?.view && this.currentTab === "home") {
          this.home.view = data.view;
          this.renderHome();
        }
      })
      .catch(() => {});
  }

  showMessages(shown) {
    const messages = document.getElementById("messages");
    if (shown && !this.home) {
      messages?.removeAttribute("role");
      messages?.removeAttribute("aria-labelledby");
    }
    for (const id of ["messages", "composer"]) {
      const node = document.getElementById(id);
      if (node) node.hidden = !shown;
    }
  }

  renderHome() {
    const panel = document.getElementById("app-home");
    if (!panel || !this.home) return;
    const view = this.home.view;
    clear(panel).append(
      view?.blocks?.length
        ? renderBlocks(
            view.blocks,
            this.modal.viewContext(view, () => panel),
          )
        : h(
            "p",
            { class: "app-home__empty" },
            interpolate(gettext("%(app)s has not set up its Home yet."), { app: this.home.name }),
          ),
    );
  }
}
