// The quick switcher (Ctrl+K / ⌘K): jump to a channel, a person's DM, or another workspace.

import { modal } from "./dialogs.js";
import { h } from "./dom.js";
import { gettext } from "./i18n.js";

export function installSwitcher(app) {
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      openSwitcher(app);
    }
  });
}

function candidates(app) {
  const { store, boot } = app;
  const items = [];
  for (const channel of store.channels.values()) {
    if (channel.is_member === false) continue;
    const direct = channel.is_im || channel.is_mpim;
    items.push({
      label: direct ? store.channelTitle(channel) : `#${channel.name}`,
      hint: direct ? gettext("Direct message") : gettext("Channel"),
      unread: channel.unread_count,
      go: () => app.openChannel(channel.id),
    });
  }
  for (const user of store.users.values()) {
    if (user.deleted || user.id === store.me.id) continue;
    items.push({ label: store.displayName(user.id), hint: `@${user.name}`, go: () => app.openDm(user.id) });
  }
  for (const workspace of boot.workspaces) {
    if (workspace.id !== store.workspace.id)
      items.push({
        label: workspace.name,
        hint: gettext("Switch workspace"),
        go: () => location.assign(workspace.url),
      });
  }
  return items;
}

export function openSwitcher(app) {
  if (document.getElementById("switcher")) return;
  const input = h("input", {
    type: "text",
    class: "field__input switcher__input",
    placeholder: gettext("Jump to…"),
    "aria-label": gettext("Jump to a conversation"),
    role: "combobox",
    "aria-expanded": "true",
    "aria-controls": "switcher-list",
    autocomplete: "off",
  });
  const list = h("ul", { class: "switcher__list", role: "listbox", id: "switcher-list" });
  const all = candidates(app);
  let shown = [];
  let selected = 0;
  const fill = () => {
    const needle = input.value.trim().toLowerCase().replace(/^[#@]/, "");
    shown = all
      .filter(
        (item) =>
          item.label.toLowerCase().replace(/^#/, "").includes(needle) || item.hint.toLowerCase().includes(needle),
      )
      .sort(
        (a, b) =>
          Number(b.label.toLowerCase().replace(/^#/, "").startsWith(needle)) -
            Number(a.label.toLowerCase().replace(/^#/, "").startsWith(needle)) || (b.unread || 0) - (a.unread || 0),
      )
      .slice(0, 12);
    selected = 0;
    list.replaceChildren(
      ...shown.map((item, index) =>
        h(
          "li",
          {
            role: "option",
            id: `switcher-${index}`,
            "aria-selected": String(index === 0),
            class: "switcher__item",
            onclick: () => pick(index),
          },
          h("span", { class: item.unread ? "strong" : "" }, item.label),
          h("span", { class: "muted small" }, item.hint),
        ),
      ),
    );
    input.setAttribute("aria-activedescendant", shown.length ? "switcher-0" : "");
  };
  const pick = (index) => {
    dialog.close();
    shown[index]?.go();
  };
  input.addEventListener("input", fill);
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      selected = (selected + (event.key === "ArrowDown" ? 1 : shown.length - 1)) % Math.max(shown.length, 1);
      for (const [i, li] of [...list.children].entries()) li.setAttribute("aria-selected", String(i === selected));
      input.setAttribute("aria-activedescendant", `switcher-${selected}`);
    }
    if (event.key === "Enter") {
      event.preventDefault();
      pick(selected);
    }
  });
  const dialog = modal(
    gettext("Jump to"),
    input,
    list,
    h("p", { class: "muted small" }, gettext("↑ ↓ to move, Enter to open, Esc to close")),
  );
  dialog.id = "switcher";
  dialog.classList.add("modal--switcher");
  fill();
  input.focus();
}
