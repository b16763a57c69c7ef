// The person's sidebar sections: the layout the server keeps (loaded with the channels, then kept by the
// sidebar_changed event, so every tab follows; its revision tells which of two layouts is newer, whatever order
// they arrive in), the changes to it (shown at once, confirmed by the server's answer, undone on a refusal),
// and the dialogs and menus that make them: create, rename, delete, sort, collapse, "Move to section…", and
// the Unreads section.

import { menuItem, modal } from "./dialogs.js";
import { h } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { changeSection, DEFAULT_LAYOUT, moveInLayout } from "./sidebar-layout.js";

const SORTS = [
  ["manual", () => gettext("As arranged")],
  ["name", () => gettext("By name")],
  ["activity", () => gettext("By most recent activity")],
];

export class SidebarSections {
  constructor(app) {
    this.app = app;
    this.layout = DEFAULT_LAYOUT;
    this.revision = -1; // the newest layout revision taken from the server (the server's first is 0)
    this.pending = 0; // requests in flight: an older answer or event must not undo a newer change
    this.latest = null; // the newest layout heard while requests were in flight
  }

  get base() {
    return `workspaces/${this.app.store.workspace.id}/sidebar`;
  }

  set(layout) {
    this.layout = layout;
    this.app.store.emit("sidebar");
  }

  /**
   * A layout from the server (the channel list, an event, an answer, a read after resume). The events of two
   * quick changes can arrive in either order, so one older than the newest taken is ignored; while requests
   * are in flight the newest waits, so an optimistic change is not undone before its answer.
   */
  take(sidebar) {
    if (!sidebar || sidebar.revision < this.revision) return;
    this.revision = sidebar.revision;
    if (this.pending) this.latest = sidebar;
    else this.set(sidebar);
  }

  /** sidebar_changed: another tab (or this one) changed the layout; the event carries all of it. */
  apply(event) {
    if (event.workspace !== this.app.store.workspace.id) return;
    this.take(event.sidebar);
  }

  /** Read the layout again (after a resume: sidebar_changed is not replayed). */
  async load() {
    const data = await this.app.api.get(this.base);
    this.take(data.sidebar);
  }

  section(id) {
    return this.layout.sections.find((s) => s.id === id);
  }

  title(section) {
    if (section.type === "channels") return gettext("Channels");
    if (section.type === "direct_messages") return gettext("Direct messages");
    return section.name;
  }

  async send(request, optimistic = null) {
    const before = this.layout;
    if (optimistic) this.set(optimistic);
    this.pending += 1;
    try {
      const data = await request();
      this.take(data.sidebar);
      return data;
    } catch (error) {
      this.set(before); // a layout the server sent meanwhile (`latest`) still shows once nothing is in flight
      this.app.toast(error.message);
      return null;
    } finally {
      this.pending -= 1;
      if (!this.pending && this.latest) {
        this.set(this.latest);
        this.latest = null;
      }
    }
  }

  create(name) {
    return this.send(() => this.app.api.post(`${this.base}/sections`, { name }));
  }

  rename(section, name) {
    return this.send(() => this.app.api.patch(`${this.base}/sections/${section.id}`, { name }));
  }

  remove(section) {
    const question = gettext("Delete the section “%(name)s”? Its channels go back to Channels and Direct messages.");
    if (!confirm(interpolate(question, { name: section.name }))) return null;
    return this.send(() => this.app.api.del(`${this.base}/sections/${section.id}`));
  }

  toggle(section) {
    const collapsed = !section.collapsed;
    return this.send(
      () => this.app.api.patch(`${this.base}/sections/${section.id}`, { collapsed }),
      changeSection(this.layout, section.id, { collapsed }),
    );
  }

  setSort(section, sort) {
    return this.send(
      () => this.app.api.patch(`${this.base}/sections/${section.id}`, { sort }),
      changeSection(this.layout, section.id, { sort }),
    );
  }

  move(channelId, sectionId, position = null) {
    const body = position === null ? { section: sectionId } : { section: sectionId, position };
    return this.send(
      () => this.app.api.put(`${this.base}/channels/${channelId}`, body),
      moveInLayout(this.layout, channelId, sectionId, position),
    );
  }

  setShowUnreads(show) {
    return this.send(() => this.app.api.patch(this.base, { show_unreads: show }), {
      ...this.layout,
      show_unreads: show,
    });
  }

  // --- Dialogs and menus ------------------------------------------------------------------------

  /** Ask for a section's name (a new one, or a new name); resolves with the created section's id, if any. */
  nameDialog(section = null) {
    const input = h("input", {
      class: "field__input",
      id: "section-name",
      maxlength: 80,
      required: true,
      value: section ? section.name : "",
      autocomplete: "off",
    });
    return new Promise((resolve) => {
      const form = h(
        "form",
        {
          onsubmit: async (event) => {
            event.preventDefault();
            const name = input.value.trim();
            if (!name) return;
            const data = section ? await this.rename(section, name) : await this.create(name);
            if (!data) return;
            resolve(data.section || null);
            dialog.close();
          },
        },
        h("div", { class: "field" }, h("label", { for: "section-name" }, gettext("Name")), input),
        h(
          "div",
          { class: "form-actions" },
          h("button", { type: "submit", class: "btn btn--primary" }, section ? gettext("Save") : gettext("Create")),
        ),
      );
      const dialog = modal(section ? gettext("Rename section") : gettext("Create a section"), form);
      dialog.addEventListener("close", () => resolve(null));
      input.focus();
      input.select();
    });
  }

  /** "Move to section…": every section as a button, the current one marked; or a new section. */
  moveDialog(channel) {
    const current = this.app.sidebar.sectionOf(channel.id);
    const choose = async (sectionId) => {
      dialog.close();
      if (sectionId && sectionId !== current) await this.move(channel.id, sectionId);
      this.app.sidebar.focusChannel(channel.id);
    };
    const list = h(
      "ul",
      { class: "browse-list", "aria-label": gettext("Sections") },
      this.layout.sections.map((section) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              class: "section-choice",
              "aria-current": section.id === current ? "true" : null,
              onclick: () => choose(section.id),
            },
            this.title(section),
            section.id === current ? h("span", { class: "muted small" }, ` ${gettext("(here now)")}`) : null,
          ),
        ),
      ),
      h(
        "li",
        {},
        h(
          "button",
          {
            type: "button",
            class: "section-choice",
            onclick: async () => {
              dialog.close();
              const created = await this.nameDialog();
              if (created) await this.move(channel.id, created);
              this.app.sidebar.focusChannel(channel.id);
            },
          },
          gettext("New section…"),
        ),
      ),
    );
    const label = interpolate(gettext("Move %(name)s to a section"), { name: this.app.store.channelTitle(channel) });
    const dialog = modal(label, list);
    (list.querySelector("button:not([aria-current])") || list.querySelector("button")).focus();
  }

  /** The channel's context menu (right click, the context-menu key or Shift+F10). */
  channelMenu(channel, anchor) {
    document.getElementById("sidebar-menu")?.remove();
    const close = (action) => () => {
      menu.remove();
      action();
    };
    const menu = h(
      "ul",
      { class: "menu", role: "menu", id: "sidebar-menu", "aria-label": gettext("Conversation options") },
      menuItem(
        gettext("Move to section…"),
        close(() => this.moveDialog(channel)),
      ),
    );
    this.app.dialogs.placeMenu(menu, anchor);
  }

  /** A section's menu: how it sorts; rename and delete for the person's own sections; a new section. */
  sectionMenu(section, anchor) {
    document.getElementById("sidebar-menu")?.remove();
    const close = (action) => () => {
      menu.remove();
      action();
    };
    const sorts = SORTS.map(([sort, label]) =>
      h(
        "li",
        { role: "none" },
        h(
          "button",
          {
            type: "button",
            role: "menuitemradio",
            class: "menu__item",
            "aria-checked": String(section.sort === sort),
            onclick: close(() => this.setSort(section, sort)),
          },
          `${section.sort === sort ? "✓ " : ""}${label()}`,
        ),
      ),
    );
    const own = section.type === "standard";
    const menu = h(
      "ul",
      {
        class: "menu",
        role: "menu",
        id: "sidebar-menu",
        "aria-label": interpolate(gettext("Options for %(section)s"), { section: this.title(section) }),
      },
      h("li", { role: "none", class: "menu__label" }, gettext("Sort")),
      ...sorts,
      h("li", { role: "separator", class: "menu__sep" }),
      own
        ? menuItem(
            gettext("Rename section…"),
            close(() => this.nameDialog(section)),
          )
        : null,
      own
        ? menuItem(
            gettext("Delete section"),
            close(() => this.remove(section)),
            { danger: true },
          )
        : null,
      menuItem(
        gettext("Create a section…"),
        close(() => this.nameDialog()),
      ),
    );
    this.app.dialogs.placeMenu(menu, anchor);
  }
}
