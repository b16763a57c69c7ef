// The workspace's custom emoji in the client: loaded at start, kept current by emoji_changed, and the
// dialog that adds one (an image, or another name for an existing emoji) and removes the reader's own.

import { modal } from "./dialogs.js";
import { h } from "./dom.js";
import {
  addCustomEmoji,
  closeEmojiPicker,
  emojiGlyph,
  removeCustomEmoji,
  setCustomEmoji,
  setEmojiAdder,
} from "./emoji.js";
import { fill, gettext, interpolate } from "./i18n.js";

export class CustomEmoji {
  constructor(app) {
    this.app = app;
  }

  get path() {
    return `workspaces/${this.app.store.workspace.id}/emoji`;
  }

  /** Load the list (again, after a resume); the picker offers "Add emoji" when the reader may add one.
   * Messages are drawn again only when the list changed, so a resume does not move the reader's focus. */
  async load() {
    const data = await this.app.api.get(this.path);
    setEmojiAdder(data.can_add ? () => this.openAddDialog() : null);
    if (setCustomEmoji(data.emoji.map((emoji) => [emoji.name, emoji.value]))) this.redraw();
  }

  /** emoji_changed: apply it, then redraw what shows emoji (idempotent: a repeat changes nothing). */
  onChanged(event) {
    if (event.subtype === "add" && event.name && event.value) addCustomEmoji(event.name, event.value);
    else if (event.subtype === "remove") removeCustomEmoji(event.names || []);
    this.redraw();
  }

  redraw() {
    this.app.channelView.scheduleRender();
    this.app.thread.render();
  }

  openAddDialog() {
    closeEmojiPicker();
    const { app } = this;
    const name = h("input", {
      class: "field__input",
      name: "name",
      required: true,
      maxlength: "100",
      placeholder: gettext("e.g. partyparrot"),
      pattern: "[a-z0-9_\\-]+",
      autocomplete: "off",
      id: "emoji-name",
    });
    const image = h("input", {
      type: "file",
      name: "image",
      accept: "image/png,image/gif,image/jpeg,image/webp",
      id: "emoji-image",
    });
    const aliasFor = h("input", { class: "field__input", name: "alias_for", autocomplete: "off", id: "emoji-alias" });
    const error = h("p", { class: "error", role: "alert" });
    name.addEventListener("input", () => {
      name.value = name.value.toLowerCase().replace(/[\s:]+/g, "");
    });
    const submit = async (event) => {
      event.preventDefault();
      try {
        const file = image.files?.[0];
        if (file) {
          const form = new FormData();
          form.append("name", name.value);
          form.append("image", file);
          const data = await app.api.upload(this.path, form);
          addCustomEmoji(data.emoji.name, data.emoji.value);
        } else {
          const alias = aliasFor.value.replace(/:/g, "").trim();
          if (!alias) throw new Error(gettext("Choose an image, or the emoji this name stands for."));
          const data = await app.api.post(`${this.path.replace(/\/emoji$/, "/emoji-aliases")}`, {
            name: name.value,
            alias_for: alias,
          });
          addCustomEmoji(data.emoji.name, data.emoji.value);
        }
        this.redraw();
        dialog.close();
        app.toast(interpolate(gettext(":%(name)s: has been added."), { name: name.value }));
      } catch (err) {
        error.textContent = err.message;
      }
    };
    const form = h(
      "form",
      { class: "form", onsubmit: submit },
      h("div", { class: "field" }, h("label", { for: "emoji-name" }, gettext("Name")), name),
      h(
        "div",
        { class: "field" },
        h("label", { for: "emoji-image" }, gettext("Image")),
        image,
        h(
          "p",
          { class: "help" },
          gettext("PNG, GIF (animated too), JPEG or WebP, up to 2 MB; shown at most 128 pixels."),
        ),
      ),
      h(
        "div",
        { class: "field" },
        h(
          "label",
          { for: "emoji-alias" },
          fill(gettext("Or an alias of %(note)s"), {
            note: h("span", { class: "optional" }, gettext("(instead of an image)")),
          }),
        ),
        aliasFor,
      ),
      error,
      h(
        "div",
        { class: "form-actions" },
        h("button", { type: "submit", class: "btn btn--primary" }, gettext("Add emoji")),
      ),
    );
    const removable = h("ul", { class: "browse-list", "aria-label": gettext("Custom emoji you can remove") });
    const dialog = modal(
      gettext("Add custom emoji"),
      form,
      h("h3", { class: "modal__subtitle" }, gettext("Emoji you can remove")),
      removable,
    );
    this.fillRemovable(removable);
    name.focus();
  }

  /** The workspace's emoji the reader may remove (their own; any, for owners and admins), each with Remove. */
  async fillRemovable(list) {
    const { app } = this;
    let emoji = [];
    try {
      emoji = (await app.api.get(this.path)).emoji.filter((item) => item.can_remove);
    } catch (error) {
      list.replaceChildren(h("li", { class: "error" }, error.message));
      return;
    }
    if (!emoji.length) {
      list.replaceChildren(h("li", { class: "empty-state" }, gettext("None yet.")));
      return;
    }
    list.replaceChildren(
      ...emoji.map((item) =>
        h(
          "li",
          { class: "browse-item", dataset: { name: item.name } },
          emojiGlyph(item.name),
          h(
            "span",
            { class: "browse-item__main" },
            h("span", { class: "browse-item__name" }, `:${item.name}:`),
            item.alias_for
              ? h(
                  "span",
                  { class: "browse-item__meta" },
                  interpolate(gettext("alias of :%(name)s:"), { name: item.alias_for }),
                )
              : null,
          ),
          h(
            "button",
            {
              type: "button",
              class: "btn btn--small btn--danger",
              "aria-label": interpolate(gettext("Remove :%(name)s:"), { name: item.name }),
              onclick: async () => {
                try {
                  const data = await app.api.del(`${this.path}/${encodeURIComponent(item.name)}`);
                  this.onChanged({ subtype: "remove", names: data.names });
                } catch (error) {
                  app.toast(error.message);
                }
                this.fillRemovable(list);
              },
            },
            gettext("Remove"),
          ),
        ),
      ),
    );
  }
}
