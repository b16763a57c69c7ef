// What apps show one person: modals (a stack of up to three views, in a native <dialog>, so focus stays in
// it and Escape closes it), their shortcuts (the composer's ⚡ menu and a message's menu), and each app's
// Home tab beside the Messages tab of the DM with its bot. The server sends views on this person's own
// socket (view_opened, view_pushed, view_updated, views_cleared, app_home_updated).

import { menuItem } from "./dialogs.js";
import { clear, h, icon } from "./dom.js";
import { collectState, renderBlocks } from "./render/blocks.js";
import { blockContext } from "./render/message.js";

const MAX_STACK = 3;

/** The modal stack's rules, apart from the DOM (js-tests/app-views.test.mjs). */
export class ViewStack {
  constructor() {
    this.views = [];
  }
  get top() {
    return this.views.at(-1) || null;
  }
  open(view) {
    this.views = [view];
  }
  push(view) {
    if (this.views.some((shown) => shown.id === view.id)) return this.replace(view);
    if (this.views.length >= MAX_STACK) return false;
    this.views.push(view);
    return true;
  }
  replace(view) {
    const index = this.views.findIndex((shown) => shown.id === view.id);
    if (index < 0) return false;
    this.views[index] = view;
    return true;
  }
  pop() {
    this.views.pop();
    return this.top;
  }
  clear(rootId = null) {
    if (rootId && this.views[0] && this.views[0].root_view_id !== rootId && this.views[0].id !== rootId) return false;
    this.views = [];
    return true;
  }
}

function textOf(textObject, fallback = "") {
  return typeof textObject?.text === "string" && textObject.text ? textObject.text : fallback;
}

export class AppViews {
  constructor(app) {
    this.app = app;
    this.stack = new ViewStack();
    this.dialog = null;
    this.opener = null; // what had the focus before the modal opened
    this.shortcuts = null;
    this.home = null; // { appId, channelId, view }
  }

  // --- Events ----------------------------------------------------------------------------------

  onEvent(event) {
    if (event.type === "view_opened") {
      this.stack.open(event.view);
      this.show();
    } else if (event.type === "view_pushed") {
      if (this.stack.push(event.view)) this.show();
    } else if (event.type === "view_updated") {
      if (this.stack.replace(event.view)) this.show();
    } else if (event.type === "views_cleared") {
      if (this.stack.clear(event.root_view_id)) this.hide();
    } else if (event.type === "app_home_updated" && this.home?.appId === event.app_id) {
      this.home.view = event.view;
      this.renderHome();
    }
  }

  // --- The modal -------------------------------------------------------------------------------

  appName(view) {
    return this.app.store.displayName(view.bot_id) || "The app";
  }

  viewContext(view) {
    const context = blockContext(this.app, {});
    context.onAction = async (action, state) => {
      try {
        await this.app.api.post("interactions/block-actions", {
          container: { type: "view", view_id: view.id },
          action,
          state,
        });
      } catch (error) {
        throw new Error(
          error.code === "app_did_not_respond" ? `${this.appName(view)} did not respond. Try again.` : error.message,
        );
      }
    };
    return context;
  }

  show() {
    const view = this.stack.top;
    if (!view) return this.hide();
    if (!this.dialog) {
      this.opener = document.activeElement;
      this.dialog = h("dialog", { class: "modal app-modal", "aria-labelledby": "app-modal-title" });
      this.dialog.addEventListener("cancel", (event) => {
        event.preventDefault(); // Escape: the same as the close button
        this.close();
      });
      document.body.append(this.dialog);
      this.dialog.showModal();
    }
    const body = h("div", { class: "modal__body app-modal__body" }, renderBlocks(view.blocks, this.viewContext(view)));
    const error = h("div", { class: "app-modal__error", role: "alert" });
    const submit = view.submit
      ? h(
          "button",
          { type: "submit", class: "btn btn--primary", disabled: view.submit_disabled },
          textOf(view.submit, "Submit"),
        )
      : null;
    const form = h(
      "form",
      { class: "app-modal__form", novalidate: true },
      h(
        "header",
        { class: "modal__header" },
        this.stack.views.length > 1
          ? h("button", { type: "button", class: "header-btn", "aria-label": "Back", onclick: () => this.close() }, "‹")
          : null,
        h("h2", { class: "modal__title", id: "app-modal-title" }, textOf(view.title, "App")),
        h(
          "button",
          { type: "button", class: "header-btn", "aria-label": "Close", onclick: () => this.close({ all: true }) },
          icon("close"),
        ),
      ),
      body,
      error,
      h(
        "footer",
        { class: "btn-row app-modal__footer" },
        h("button", { type: "button", class: "btn", onclick: () => this.close() }, textOf(view.close, "Cancel")),
        submit,
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit(view, form, submit, error);
    });
    clear(this.dialog).append(form);
    (form.querySelector(".bk input, .bk textarea, .bk select") || submit || form.querySelector("button"))?.focus();
  }

  hide() {
    const dialog = this.dialog;
    this.dialog = null;
    if (dialog) {
      dialog.close();
      dialog.remove();
    }
    this.opener?.focus?.();
    this.opener = null;
  }

  async submit(view, form, button, error) {
    error.textContent = "";
    for (const stale of form.querySelectorAll(".bk-field-error")) stale.remove();
    for (const invalid of form.querySelectorAll("[aria-invalid]")) invalid.removeAttribute("aria-invalid");
    button?.setAttribute("aria-busy", "true");
    if (button) button.disabled = true;
    try {
      const answer = await this.app.api.post("interactions/view-submission", {
        view_id: view.id,
        state: { values: collectState(form) },
      });
      if (answer.response_action === "errors") this.showErrors(form, answer.errors || {});
      else if (answer.response_action === "update") {
        this.stack.replace(answer.view);
        this.show();
      } else if (answer.response_action === "push") {
        this.stack.push(answer.view);
        this.show();
      } else {
        this.stack.clear();
        this.hide();
      }
    } catch (failure) {
      error.textContent =
        failure.code === "app_did_not_respond" ? `${this.appName(view)} did not respond. Try again.` : failure.message;
    } finally {
      button?.removeAttribute("aria-busy");
      if (button?.isConnected) button.disabled = Boolean(view.submit_disabled);
    }
  }

  showErrors(form, errors) {
    let first = null;
    for (const [blockId, text] of Object.entries(errors)) {
      const block = [...form.querySelectorAll(".bk-block")].find((node) => node.dataset.blockId === blockId);
      if (!block) continue;
      const id = `app-modal-error-${blockId}`;
      const control = block.querySelector("[data-action-id]");
      block.classList.add("bk-input-block--invalid");
      block.append(h("div", { class: "bk-field-error", id }, String(text)));
      if (control) {
        control.setAttribute("aria-invalid", "true");
        const described = control.getAttribute("aria-describedby");
        control.setAttribute("aria-describedby", described ? `${described} ${id}` : id);
        first ||= control;
      }
    }
    first?.focus();
  }

  /** The close button or Escape: back to the view below, or, with `all` (or from the root), close them all. */
  close({ all = false } = {}) {
    const view = this.stack.top;
    if (!view) return this.hide();
    const clearAll = all || this.stack.views.length === 1 || view.clear_on_close;
    this.app.api.post("interactions/view-closed", { view_id: view.id, clear: clearAll }).catch(() => {});
    if (clearAll) {
      this.stack.clear();
      this.hide();
    } else {
      this.stack.pop();
      this.show();
    }
  }

  // --- Shortcuts -------------------------------------------------------------------------------

  async loadShortcuts() {
    if (!this.shortcuts) {
      const workspace = this.app.store.workspace.id;
      this.shortcuts = this.app.api.get("interactions/shortcuts", { workspace }).then(
        (data) => data.shortcuts,
        () => {
          this.shortcuts = null;
          return [];
        },
      );
    }
    return this.shortcuts;
  }

  async runShortcut(shortcut, message = null) {
    const body = { app_id: shortcut.app_id, callback_id: shortcut.callback_id, type: shortcut.type };
    if (message) Object.assign(body, { channel: message.channel, message_ts: message.ts });
    try {
      await this.app.api.post("interactions/shortcut", body);
    } catch (error) {
      this.app.toast(
        error.code === "app_did_not_respond" ? `${shortcut.app_name} did not respond. Try again.` : error.message,
      );
    }
  }

  /** The composer's ⚡ menu: the workspace's global shortcuts. */
  async openShortcutMenu(anchor) {
    document.getElementById("shortcut-menu")?.remove();
    const global = (await this.loadShortcuts()).filter((shortcut) => shortcut.type === "global");
    const menu = h(
      "ul",
      { class: "menu", role: "menu", id: "shortcut-menu", "aria-label": "Shortcuts" },
      global.length
        ? global.map((shortcut) =>
            menuItem(
              shortcut.name,
              () => {
                menu.remove();
                anchor.focus();
                this.runShortcut(shortcut);
              },
              { hint: shortcut.app_name },
            ),
          )
        : h("li", { class: "menu__empty" }, "No app offers shortcuts here."),
    );
    this.app.dialogs.placeMenu(menu, anchor);
  }

  /** Menu items for the message shortcuts of the workspace's apps. */
  async messageShortcutItems(message, item) {
    const shortcuts = (await this.loadShortcuts()).filter((shortcut) => shortcut.type === "message");
    return shortcuts.map((shortcut) =>
      item(`${shortcut.name} · ${shortcut.app_name}`, () => this.runShortcut(shortcut, message)),
    );
  }

  // --- App Home --------------------------------------------------------------------------------

  /** Called when a conversation opens: a DM with an app's bot gets Home and Messages tabs. */
  async attach(channel) {
    document.getElementById("app-tabs")?.remove();
    document.getElementById("app-home")?.remove();
    this.showMessages(true);
    this.home = null;
    const other = channel?.is_im ? (channel.members || []).find((id) => id !== this.app.store.me.id) : null;
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
    this.selectTab("messages", { focus: false });
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
      tab("home", "Home"),
      tab("messages", "Messages"),
    );
    tabs.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        this.selectTab(this.currentTab === "home" ? "messages" : "home");
      }
    });
    const panel = h("div", {
      class: "app-home",
      id: "app-home",
      role: "tabpanel",
      "aria-labelledby": "app-tab-home",
      hidden: true,
      tabindex: "0",
    });
    const header = document.getElementById("channel-header");
    header.after(tabs, panel);
  }

  selectTab(name, { focus = true } = {}) {
    if (!this.home) return;
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
    this.app.api
      .post(`apps/${this.home.appId}/home/opened`, { tab: name })
      .then((data) => {
        if (this.home && data.view && name === "home") {
          this.home.view = data.view;
          this.renderHome();
        }
      })
      .catch(() => {});
  }

  showMessages(shown) {
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
      view
        ? renderBlocks(view.blocks, this.viewContext(view))
        : h("p", { class: "app-home__empty" }, `${this.home.name} has not set up its Home yet.`),
    );
  }
}
