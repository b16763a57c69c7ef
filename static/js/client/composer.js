// The message box: Enter sends, Shift+Enter starts a new line; @mention and :emoji: autocomplete;
// files by button, drag and drop or paste, previewed before they are sent; Up arrow edits your last
// message; typing notices to the channel. Used twice: under the channel and in the thread pane.

import { h, icon } from "./dom.js";
import { emojiGlyph, openEmojiPicker, searchEmoji } from "./emoji.js";
import { fill, gettext, interpolate, ngettext } from "./i18n.js";
import { avatar } from "./render/avatar.js";

const TYPING_EVERY_MS = 3000;
// The mention keywords are typed as they are, in every language; their hints are translated.
const BROADCASTS = [
  ["here", gettext("Notify everyone online in this channel")],
  ["channel", gettext("Notify everyone in this channel")],
  ["everyone", gettext("Notify everyone in the workspace")],
].map(([key, hint]) => ({ key, label: `@${key}`, hint }));

/** "@alice hi @channel @design" → "<@U…> hi <!channel> <!subteam^S…|@design>": handles people typed or picked
 * become Slack markup (a person's name wins over a group's handle, which the server keeps apart anyway). */
export function encodeMentions(text, store) {
  const handles = new Map();
  for (const group of store.usergroups?.values() || [])
    handles.set(group.handle, `<!subteam^${group.id}|@${group.handle}>`);
  for (const user of store.users.values()) if (!user.deleted) handles.set(user.name.toLowerCase(), `<@${user.id}>`);
  return text.replace(/(^|[\s(])@([a-z0-9._-]+)/gi, (whole, before, handle) => {
    const key = handle.toLowerCase();
    if (["here", "channel", "everyone"].includes(key)) return `${before}<!${key}>`;
    const trimmed = key.replace(/[.]+$/, "");
    const markup = handles.get(trimmed);
    return markup ? `${before}${markup}${handle.slice(trimmed.length)}` : whole;
  });
}

/** "<@U…>" → "@alice", for editing a message in the box it was written in (labels stop at "<": linear). */
export function decodeMentions(text, store) {
  return text
    .replace(/<@([UB][A-Z0-9]+)(?:\|[^<>]*)?>/g, (whole, id) =>
      store.users.has(id) ? `@${store.user(id).name}` : whole,
    )
    .replace(/<!(here|channel|everyone)(?:\|[^<>]*)?>/g, "@$1")
    .replace(/<!subteam\^([A-Z0-9]+)(?:\|([^<>]*))?>/g, (whole, id, label) => {
      const handle = store.usergroups?.get(id)?.handle || label?.replace(/^@/, "");
      return handle ? `@${handle}` : whole;
    })
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

export class Composer {
  /** `root` holds the form; `threadTs()` gives the thread it posts into (null: the channel). */
  constructor(app, root, { threadTs = () => null, label = gettext("Message"), inThread = false } = {}) {
    this.app = app;
    this.inThread = inThread;
    this.threadTs = threadTs;
    this.files = [];
    this.channel = null;
    this.draftKey = null; // where what is typed is kept (app.drafts)
    this.lastTyping = 0;
    this.input = h("textarea", {
      class: "composer__input",
      rows: "1",
      "aria-label": label,
      placeholder: label,
      "aria-autocomplete": "list", // a textbox has no aria-expanded: aria-activedescendant names the suggestion
      enterkeyhint: "send",
    });
    this.fileInput = h("input", {
      type: "file",
      class: "sr-only",
      multiple: true,
      tabindex: "-1",
      "aria-hidden": "true",
    });
    this.tray = h("div", { class: "composer__files", "aria-live": "polite" });
    this.suggest = h("ul", {
      class: "suggest",
      role: "listbox",
      hidden: true,
      id: `suggest-${Math.random().toString(36).slice(2)}`,
    });
    this.input.setAttribute("aria-controls", this.suggest.id);
    this.broadcast = !inThread
      ? null
      : h(
          "label",
          { class: "composer__broadcast" },
          h("input", { type: "checkbox" }),
          ` ${gettext("Also send to channel")}`,
        );
    const toolbar = h(
      "div",
      { class: "composer__toolbar" },
      h(
        "button",
        {
          type: "button",
          class: "composer__tool",
          title: gettext("Attach files"),
          "aria-label": gettext("Attach files"),
          onclick: () => this.fileInput.click(),
        },
        icon("attach"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "composer__tool",
          title: gettext("Emoji"),
          "aria-label": gettext("Insert emoji"),
          onclick: (event) => openEmojiPicker(event.currentTarget, (name) => this.insert(`:${name}: `)),
        },
        icon("smile"),
      ),
      this.inThread
        ? null
        : h(
            "button",
            {
              type: "button",
              class: "composer__tool composer__shortcuts",
              title: gettext("Shortcuts"),
              "aria-label": gettext("Shortcuts"),
              "aria-haspopup": "menu",
              "aria-expanded": "false",
              onclick: (event) => this.app.appViews.openShortcutMenu(event.currentTarget),
            },
            icon("bolt"),
          ),
      this.broadcast,
      h(
        "span",
        { class: "composer__hint" },
        fill(gettext("%(send)s to send, %(newline)s for a new line"), {
          send: h("kbd", {}, gettext("Enter")),
          newline: [h("kbd", {}, gettext("Shift")), "+", h("kbd", {}, gettext("Enter"))],
        }),
      ),
      h(
        "button",
        { type: "submit", class: "composer__send", title: gettext("Send"), "aria-label": gettext("Send") },
        icon("send"),
      ),
    );
    this.form = h(
      "form",
      {
        class: "composer",
        onsubmit: (event) => {
          event.preventDefault();
          this.send();
        },
      },
      this.suggest,
      this.tray,
      this.input,
      toolbar,
      this.fileInput,
    );
    root.replaceChildren(this.form);
    this.input.addEventListener("keydown", (event) => this.onKey(event));
    this.input.addEventListener("input", () => this.onInput());
    this.input.addEventListener("paste", (event) => this.onPaste(event));
    this.fileInput.addEventListener("change", () => {
      this.addFiles([...this.fileInput.files]);
      this.fileInput.value = "";
    });
  }

  setChannel(channel) {
    this.channel = channel;
    this.loadDraft();
    const archived = channel.is_archived;
    const member = channel.is_member !== false;
    this.input.disabled = archived || !member;
    const name = channel.is_im || channel.is_mpim ? this.app.store.channelTitle(channel) : `#${channel.name}`;
    if (!this.inThread) {
      this.input.placeholder = archived
        ? gettext("This channel is archived.")
        : member
          ? interpolate(gettext("Message %(name)s"), { name })
          : interpolate(gettext("Join %(name)s to send messages"), { name });
      this.input.setAttribute("aria-label", interpolate(gettext("Message %(name)s"), { name }));
    }
    this.form.classList.toggle("composer--disabled", this.input.disabled);
    if (!this.inThread) this.app.ui.joinBar(channel, !member && !archived);
  }

  focus() {
    this.input.focus();
  }

  /** Show the draft of the conversation (or thread) now in the box, once, when it changes. */
  loadDraft() {
    const key = this.app.drafts.key(this.channel.id, this.threadTs());
    if (key === this.draftKey) return;
    this.draftKey = key;
    this.input.value = this.app.drafts.get(key);
    this.resize();
  }

  saveDraft() {
    if (this.draftKey) this.app.drafts.set(this.draftKey, this.input.value);
  }

  insert(text) {
    const { selectionStart: start, selectionEnd: end, value } = this.input;
    this.input.value = value.slice(0, start) + text + value.slice(end);
    this.input.selectionStart = this.input.selectionEnd = start + text.length;
    this.input.focus();
    this.resize();
  }

  resize() {
    this.input.style.height = "auto";
    this.input.style.height = `${Math.min(this.input.scrollHeight, 240)}px`;
  }

  onKey(event) {
    if (!this.suggest.hidden && this.onSuggestKey(event)) return;
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.send();
    } else if (event.key === "ArrowUp" && !this.input.value && !this.files.length) {
      const mine = this.app.lastOwnMessage(this.channel?.id, this.threadTs());
      if (mine) {
        event.preventDefault();
        this.app.actions.edit(mine);
      }
    } else if (event.key === "Escape" && this.inThread) {
      this.app.thread.close();
    }
  }

  onInput() {
    this.resize();
    this.saveDraft();
    this.updateSuggestions();
    const now = Date.now();
    if (this.input.value && now - this.lastTyping > TYPING_EVERY_MS && this.channel) {
      this.lastTyping = now;
      this.app.socket.send({ type: "typing", channel: this.channel.id });
    }
  }

  // --- Autocomplete ----------------------------------------------------------------------

  word() {
    const before = this.input.value.slice(0, this.input.selectionStart);
    const command = before.match(/^\/([\w.-]*)$/);
    if (command) return { sigil: "/", query: command[1].toLowerCase(), start: 0 };
    const match = before.match(/(^|[\s(])([@:])([\w.+'-]*)$/);
    return match
      ? { sigil: match[2], query: match[3].toLowerCase(), start: before.length - match[3].length - 1 }
      : null;
  }

  updateSuggestions() {
    const word = this.word();
    let items = [];
    if (word?.sigil === "@") items = this.people(word.query);
    else if (word?.sigil === "/") items = this.commandItems(word.query);
    else if (word?.sigil === ":" && word.query.length >= 2) {
      items = searchEmoji(word.query).map((name) => ({
        insert: `:${name}: `,
        label: `:${name}:`,
        leadNode: h("span", { class: "suggest__lead" }, emojiGlyph(name)),
      }));
    }
    this.suggest.replaceChildren(
      ...items.map((item, index) =>
        h(
          "li",
          {
            role: "option",
            class: "suggest__item",
            id: `${this.suggest.id}-${index}`,
            "aria-selected": index === 0 ? "true" : "false",
            onpointerdown: (event) => {
              event.preventDefault();
              this.choose(item);
            },
          },
          item.leadNode || h("span", { class: "suggest__lead" }, item.lead || ""),
          h("span", { class: "suggest__label" }, item.label),
          item.hint ? h("span", { class: "suggest__hint" }, item.hint) : null,
        ),
      ),
    );
    this.items = items;
    this.selected = 0;
    this.suggest.hidden = items.length === 0;
    if (items.length) this.input.setAttribute("aria-activedescendant", `${this.suggest.id}-0`);
    else this.input.removeAttribute("aria-activedescendant");
  }

  people(query) {
    const { store } = this.app;
    const members = this.channel?.members;
    const people = [...store.users.values()]
      .filter(
        (u) =>
          !u.deleted &&
          (u.name.toLowerCase().startsWith(query) ||
            (u.real_name || "")
              .toLowerCase()
              .split(/\s+/)
              .some((part) => part.startsWith(query)) ||
            (u.profile?.display_name || "").toLowerCase().startsWith(query)),
      )
      .sort((a, b) => Number(members?.includes(b.id)) - Number(members?.includes(a.id)) || a.name.localeCompare(b.name))
      .slice(0, 8)
      .map((u) => ({
        insert: `@${u.name} `,
        label: store.displayName(u.id),
        hint: `@${u.name}`,
        leadNode: avatar(u, "xs"),
      }));
    const groups = [...(store.usergroups?.values() || [])]
      .filter((g) => g.handle.startsWith(query) || g.name.toLowerCase().startsWith(query))
      .sort((a, b) => a.handle.localeCompare(b.handle))
      .slice(0, 5)
      .map((g) => ({
        insert: `@${g.handle} `,
        label: g.name,
        hint: `@${g.handle} · ${interpolate(ngettext("%(count)s person", "%(count)s people", g.user_count), { count: g.user_count })}`,
        leadNode: h("span", { class: "suggest__lead" }, icon("people")),
      }));
    const direct = this.channel?.is_im || this.channel?.is_mpim;
    const broadcasts = direct
      ? []
      : BROADCASTS.filter((b) => b.key.startsWith(query)).map((b) => ({
          insert: `${b.label} `,
          label: b.label,
          hint: b.hint,
          lead: "📣",
        }));
    return people.concat(groups, broadcasts);
  }

  /** The slash commands of this conversation (built-ins and the workspace's apps'), fetched once per channel. */
  commandItems(query) {
    const channelId = this.channel?.id;
    if (!channelId) return [];
    if (this.commandList?.channel !== channelId) {
      this.commandList = { channel: channelId, commands: [] };
      this.app.api
        .get(`channels/${channelId}/commands`)
        .then((data) => {
          if (this.commandList?.channel !== channelId) return;
          this.commandList.commands = data.commands;
          if (this.word()?.sigil === "/") this.updateSuggestions();
        })
        .catch(() => {});
    }
    return this.commandList.commands
      .filter((c) => c.command.slice(1).startsWith(query))
      .slice(0, 8)
      .map((c) => ({
        insert: `${c.command} `,
        label: `${c.command}${c.usage_hint ? ` ${c.usage_hint}` : ""}`,
        hint: c.app_name ? `${c.description} · ${c.app_name}` : c.description,
        lead: "/",
      }));
  }

  onSuggestKey(event) {
    const count = this.items.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      this.selected = (this.selected + (event.key === "ArrowDown" ? 1 : count - 1)) % count;
      for (const [i, li] of [...this.suggest.children].entries())
        li.setAttribute("aria-selected", String(i === this.selected));
      this.input.setAttribute("aria-activedescendant", `${this.suggest.id}-${this.selected}`);
      return true;
    }
    if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      this.choose(this.items[this.selected]);
      return true;
    }
    if (event.key === "Escape") {
      event.preventDefault();
      this.closeSuggestions();
      return true;
    }
    return false;
  }

  choose(item) {
    const word = this.word();
    if (!word) return;
    const end = this.input.selectionStart;
    this.input.setSelectionRange(word.start, end);
    this.insert(item.insert);
    this.closeSuggestions();
  }

  closeSuggestions() {
    this.suggest.hidden = true;
    this.input.removeAttribute("aria-activedescendant");
  }

  // --- Files ------------------------------------------------------------------------------

  onPaste(event) {
    const files = [...(event.clipboardData?.files || [])];
    if (files.length) {
      event.preventDefault();
      this.addFiles(files);
    }
  }

  addFiles(files) {
    for (const file of files) {
      const preview = file.type.startsWith("image/") ? URL.createObjectURL(file) : null;
      this.files.push({ file, preview });
    }
    this.renderTray();
    this.focus();
  }

  renderTray() {
    this.tray.replaceChildren(
      ...this.files.map((entry, index) =>
        h(
          "div",
          { class: "staged" },
          entry.preview
            ? h("img", {
                class: "staged__img",
                src: entry.preview,
                alt: interpolate(gettext("Preview of %(name)s"), { name: entry.file.name }),
              })
            : h("span", { class: "staged__doc", "aria-hidden": "true" }, "📄"),
          h("span", { class: "staged__name" }, entry.file.name),
          h(
            "button",
            {
              type: "button",
              class: "staged__remove",
              "aria-label": interpolate(gettext("Remove %(name)s"), { name: entry.file.name }),
              onclick: () => {
                if (entry.preview) URL.revokeObjectURL(entry.preview);
                this.files.splice(index, 1);
                this.renderTray();
              },
            },
            icon("close"),
          ),
        ),
      ),
    );
  }

  // --- Sending ------------------------------------------------------------------------------

  async send() {
    const raw = this.input.value;
    const files = this.files;
    if (!this.channel || (!raw.trim() && !files.length)) return;
    const text = encodeMentions(raw.replace(/\s+$/, ""), this.app.store);
    const broadcast = Boolean(this.broadcast?.querySelector("input").checked);
    this.input.value = "";
    this.saveDraft(); // sent: the draft is gone
    this.files = [];
    this.renderTray();
    this.resize();
    this.closeSuggestions();
    if (files.length) {
      await this.app.uploads.send(this.channel.id, files, text, this.threadTs());
      return;
    }
    const command = raw.match(/^\/([a-z0-9][\w.-]*)(?:\s+([\s\S]*))?$/i);
    if (command) {
      // A slash command (Slack's rule: a message that starts with "/" is one). Its answer, for my eyes
      // only, comes as an ephemeral message; a refusal is shown here.
      const body = {
        command: `/${command[1].toLowerCase()}`,
        text: command[2] || "",
        thread_ts: this.threadTs() || "",
      };
      await this.app.guard(this.app.api.post(`channels/${this.channel.id}/commands`, body));
      return;
    }
    this.app.post({ channel: this.channel.id, text, thread_ts: this.threadTs(), reply_broadcast: broadcast });
  }
}
