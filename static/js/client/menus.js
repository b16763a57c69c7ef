// The top bar: the workspace menu (switch workspace, account pages, sign out), the search box, and
// the keyboard shortcuts that are not the composer's own.

import { h } from "./dom.js";
import { gettext } from "./i18n.js";

function csrf() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

export function installMenus(app) {
  const { boot, store } = app;
  const button = document.getElementById("workspace-button");
  const menu = document.getElementById("workspace-menu");
  const links = boot.links || {};
  const link = (key, label) =>
    links[key]
      ? h("li", { role: "none" }, h("a", { role: "menuitem", class: "menu__item", href: links[key] }, label))
      : null;
  const workspaces = boot.workspaces.map((w) =>
    h(
      "li",
      { role: "none" },
      h(
        "a",
        {
          role: "menuitem",
          class: `menu__item${w.id === store.workspace.id ? " menu__item--current" : ""}`,
          href: w.url,
          "aria-current": w.id === store.workspace.id ? "true" : null,
        },
        w.name,
        h("span", { class: "muted small" }, ` ${w.slug}`),
      ),
    ),
  );
  const logout = links.logout
    ? h(
        "li",
        { role: "none" },
        h(
          "form",
          {
            method: "post",
            action: links.logout,
            // This browser stops getting the person's desktop notifications before they sign out here.
            onsubmit: async (event) => {
              event.preventDefault();
              const form = event.currentTarget;
              await app.desktop.forgetDevice();
              form.submit();
            },
          },
          h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrf() }),
          h("button", { type: "submit", role: "menuitem", class: "menu__item" }, gettext("Sign out")),
        ),
      )
    : null;
  menu.replaceChildren(
    h("li", { role: "none", class: "menu__label" }, gettext("Workspaces")),
    ...workspaces,
    link("create_workspace", gettext("Create a new workspace")),
    h("li", { role: "separator", class: "menu__sep" }),
    link("profile", gettext("Profile")),
    link("preferences", gettext("Notification preferences")),
    link("tokens", "API tokens"),
    ["owner", "admin"].includes(store.workspace.role) ? link("admin", gettext("Workspace administration")) : null,
    h(
      "li",
      { role: "none" },
      h(
        "button",
        {
          type: "button",
          role: "menuitem",
          class: "menu__item",
          id: "desktop-notifications-item",
          onclick: () => {
            menu.hidden = true;
            button.setAttribute("aria-expanded", "false");
            app.desktop.openDialog();
          },
        },
        gettext("Desktop notifications…"),
      ),
    ),
    h("li", { role: "separator", class: "menu__sep" }),
    logout,
  );
  const toggle = (open) => {
    menu.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (open) menu.querySelector("a, button")?.focus();
  };
  button.addEventListener("click", () => toggle(menu.hidden));
  menu.addEventListener("keydown", (event) => {
    const items = [...menu.querySelectorAll("a, button")];
    const index = items.indexOf(document.activeElement);
    if (event.key === "Escape") {
      event.preventDefault();
      toggle(false);
      button.focus();
    }
    if (event.key === "ArrowDown") {
      event.preventDefault();
      items[(index + 1) % items.length].focus();
    }
    if (event.key === "ArrowUp") {
      event.preventDefault();
      items[(index + items.length - 1) % items.length].focus();
    }
  });
  document.addEventListener("pointerdown", (event) => {
    if (!menu.hidden && !menu.contains(event.target) && !button.contains(event.target)) toggle(false);
  });

  const form = document.getElementById("search-form");
  const input = document.getElementById("search-input");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (input.value.trim()) app.search.search(input.value.trim());
  });
  document
    .getElementById("switcher-button")
    .addEventListener("click", () => import("./switcher.js").then((m) => m.openSwitcher(app)));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && document.body.classList.contains("sidebar-open"))
      document.body.classList.remove("sidebar-open");
    else if (
      event.key === "Escape" &&
      !event.defaultPrevented &&
      !document.querySelector("dialog[open], .menu:not([hidden]), #emoji-picker")
    ) {
      if (app.details.tab) app.details.close();
      else if (app.thread.isOpen && !app.actions.editor) app.thread.close();
    }
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "f" && event.shiftKey) {
      event.preventDefault();
      input.focus();
    }
  });
  document.getElementById("scrim").addEventListener("click", () => document.body.classList.remove("sidebar-open"));
}
