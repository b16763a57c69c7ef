// One message as a DOM row: avatar and name (or a compact continuation), text, files, reactions,
// thread summary and the hover menu. `app` gives the store, the markdown context and the actions.

import { h, icon } from "../dom.js";
import { emojiChar, emojiGlyph, QUICK_REACTIONS } from "../emoji.js";
import { gettext, interpolate, ngettext } from "../i18n.js";
import { renderMarkdown } from "../markdown.js";
import { fullDate, relative, timeOfDay } from "../time.js";
import { avatar } from "./avatar.js";
import { renderAttachments, renderBlocks } from "./blocks.js";
import { renderUnfurls } from "./unfurls.js";

/** What the Block Kit renderer needs to show this message's blocks and send what is done with them. */
export function blockContext(app, message) {
  return {
    markdownContext: app.markdownContext,
    people: () =>
      [...app.store.users.values()]
        .filter((user) => !user.deleted)
        .map((user) => [user.id, app.store.displayName(user.id)]),
    conversations: (channelsOnly) =>
      [...app.store.channels.values()]
        .filter((channel) => !channelsOnly || (!channel.is_im && !channel.is_mpim))
        .map((channel) => [channel.id, channel.name ? `#${channel.name}` : app.store.channelTitle(channel)]),
    onAction: (action, state) => app.actions.blockAction(message, action, state),
    channel: (id) => app.store.channels.get(id) || null,
  };
}

function reactionTitle(app, reaction) {
  const names = reaction.users.map((id) => (id === app.store.me.id ? gettext("You") : app.store.displayName(id)));
  const who =
    names.length > 1
      ? interpolate(gettext("%(names)s and %(last)s"), { names: names.slice(0, -1).join(", "), last: names.at(-1) })
      : names[0];
  return interpolate(gettext("%(who)s reacted with :%(emoji)s:"), { who, emoji: reaction.name });
}

function reactions(app, message) {
  if (!message.reactions?.length) return null;
  const row = h("div", { class: "reactions", role: "group", "aria-label": gettext("Reactions") });
  for (const reaction of message.reactions || []) {
    const mine = reaction.users.includes(app.store.me.id);
    row.append(
      h(
        "button",
        {
          type: "button",
          class: `reaction${mine ? " reaction--mine" : ""}`,
          title: reactionTitle(app, reaction),
          "aria-pressed": mine ? "true" : "false",
          // The visible count is part of the name (WCAG 2.5.3, label in name).
          "aria-label": `${reactionTitle(app, reaction)}: ${reaction.count}. ${mine ? gettext("Remove yours") : gettext("Add yours")}`,
          dataset: { name: reaction.name },
          onclick: () => app.actions.toggleReaction(message, reaction.name),
        },
        emojiGlyph(reaction.name) || h("span", { class: "emoji" }, `:${reaction.name}:`),
        h("span", { class: "reaction__count" }, String(reaction.count)),
      ),
    );
  }
  if (message.reactions?.length) {
    row.append(
      h(
        "button",
        {
          type: "button",
          class: "reaction reaction--add",
          "aria-label": gettext("Add reaction"),
          title: gettext("Add reaction"),
          onclick: (event) => app.actions.pickReaction(message, event.currentTarget),
        },
        icon("smile"),
      ),
    );
  }
  return row;
}

function files(message) {
  if (!message.files?.length) return null;
  return h(
    "div",
    { class: "files" },
    message.files.map((file) => {
      if (file.is_image && file.thumb_url) {
        return h(
          "a",
          { class: "file file--image", href: file.url_private, target: "_blank", rel: "noopener", title: file.name },
          h("img", { src: file.thumb_url, alt: file.name, loading: "lazy", class: "file__thumb" }),
        );
      }
      const size =
        file.size > 1048576
          ? `${(file.size / 1048576).toFixed(1)} MB`
          : `${Math.max(1, Math.round(file.size / 1024))} KB`;
      return h(
        "a",
        { class: "file file--doc", href: file.url_private, download: file.name },
        h("span", { class: "file__icon", "aria-hidden": "true" }, "📄"),
        h(
          "span",
          { class: "file__meta" },
          h("span", { class: "file__name" }, file.name),
          h("span", { class: "file__size" }, `${size} · ${file.mimetype}`),
        ),
      );
    }),
  );
}

function threadSummary(app, message, inThread) {
  if (inThread || !message.reply_count || message.thread_ts !== message.ts) return null;
  const count = message.reply_count;
  const label = interpolate(ngettext("%(count)s reply", "%(count)s replies", count), { count });
  return h(
    "button",
    { type: "button", class: "thread-summary", onclick: () => app.actions.openThread(message) },
    h("span", { class: "thread-summary__count" }, label),
    message.latest_reply
      ? h(
          "span",
          { class: "thread-summary__last" },
          interpolate(gettext("Last reply %(when)s"), { when: relative(message.latest_reply) }),
        )
      : null,
  );
}

function status(app, message) {
  if (message.failed && message.transient) {
    // Typed with no connection: it waits (under its client_msg_id) and goes once the connection is back.
    return h(
      "div",
      { class: "msg__status msg__status--waiting", role: "status" },
      `${gettext("Waiting for the connection: it will be sent when you are back online.")} `,
      h("button", { type: "button", class: "linkish", onclick: () => app.actions.discard(message) }, gettext("Delete")),
    );
  }
  if (message.failed) {
    return h(
      "div",
      { class: "msg__status msg__status--failed", role: "status" },
      `${gettext("Not sent.")} `,
      h("button", { type: "button", class: "linkish", onclick: () => app.actions.retry(message) }, gettext("Retry")),
      " · ",
      h("button", { type: "button", class: "linkish", onclick: () => app.actions.discard(message) }, gettext("Delete")),
    );
  }
  if (message.pending) return h("div", { class: "msg__status" }, gettext("Sending…"));
  if (message.ephemeral) {
    return h(
      "div",
      { class: "msg__status msg__status--ephemeral" },
      icon("eye"),
      ` ${gettext("Only visible to you")} · `,
      h(
        "button",
        { type: "button", class: "linkish", onclick: () => app.actions.dismissEphemeral(message) },
        gettext("Dismiss"),
      ),
    );
  }
  return null;
}

function menu(app, message, inThread) {
  if (message.pending || message.deleted || message.ephemeral) return null;
  const mine = message.user === app.store.me.id;
  const bar = h("div", { class: "msg__actions", role: "toolbar", "aria-label": gettext("Message actions") });
  for (const name of QUICK_REACTIONS.slice(0, 3)) {
    bar.append(
      h(
        "button",
        {
          type: "button",
          class: "msg__action",
          title: interpolate(gettext("React with :%(name)s:"), { name }),
          "aria-label": interpolate(gettext("React with %(name)s"), { name }),
          onclick: () => app.actions.toggleReaction(message, name, true),
        },
        emojiChar(name),
      ),
    );
  }
  bar.append(
    h(
      "button",
      {
        type: "button",
        class: "msg__action",
        title: gettext("Add reaction"),
        "aria-label": gettext("Add reaction"),
        onclick: (event) => app.actions.pickReaction(message, event.currentTarget),
      },
      icon("smile"),
    ),
  );
  if (!inThread) {
    bar.append(
      h(
        "button",
        {
          type: "button",
          class: "msg__action",
          title: gettext("Reply in thread"),
          "aria-label": gettext("Reply in thread"),
          onclick: () => app.actions.openThread(message),
        },
        icon("thread"),
      ),
    );
  }
  bar.append(
    h(
      "button",
      {
        type: "button",
        class: "msg__action",
        title: gettext("More actions"),
        "aria-label": gettext("More actions"),
        "aria-haspopup": "menu",
        onclick: (event) => app.actions.openMenu(message, event.currentTarget, mine),
      },
      icon("more"),
    ),
  );
  return bar;
}

/**
 * The row for `message`. `continued`: same author within a few minutes of the previous one, shown
 * without the avatar and name. `inThread`: inside the thread pane (no thread summary or reply button).
 */
export function messageRow(app, message, { continued = false, inThread = false } = {}) {
  const user = app.store.user(message.user);
  const classes = ["msg"];
  if (continued) classes.push("msg--continued");
  if (message.pending) classes.push("msg--pending");
  if (message.failed) classes.push(message.transient ? "msg--waiting" : "msg--failed");
  if (message.ephemeral) classes.push("msg--ephemeral");
  if (!message.pending && app.store.mentionsMe(message) && message.user !== app.store.me.id)
    classes.push("msg--mention");
  if (message.pinned) classes.push("msg--pinned");
  // A bot may name a message itself (Slack's bot_message `username`); bot_profile names a bot we have not loaded.
  const name =
    message.username ||
    (app.store.users.has(message.user) ? app.store.displayName(message.user) : message.bot_profile?.name) ||
    app.store.displayName(message.user);
  const time = h(
    "time",
    {
      class: "msg__time",
      datetime: new Date(parseFloat(message.ts) * 1000).toISOString(),
      title: fullDate(message.ts),
    },
    message.pending ? "" : timeOfDay(message.ts),
  );
  const editing = app.actions.editor?.ts === message.ts;
  const text = editing ? app.actions.editor.node : h("div", { class: "msg__text" });
  if (!editing) {
    if (message.deleted) text.append(h("span", { class: "msg__deleted" }, gettext("This message was deleted.")));
    else if (message.blocks?.length) text.append(renderBlocks(message.blocks, blockContext(app, message)));
    else text.append(renderMarkdown(message.text, app.markdownContext));
    // An app changing its own message (a button's answer) is not an edit a reader needs told of, as in Slack.
    if (message.edited && !message.deleted && !message.bot_id)
      text.append(h("span", { class: "msg__edited", title: fullDate(message.edited.ts) }, ` ${gettext("(edited)")}`));
  }
  const header = continued
    ? null
    : h(
        "div",
        { class: "msg__meta" },
        h(
          "button",
          { type: "button", class: "msg__author", onclick: () => app.actions.openProfile(message.user) },
          name,
        ),
        user.is_bot || message.bot_id ? h("span", { class: "tag" }, gettext("APP")) : null,
        time,
      );
  return h(
    "div",
    {
      class: classes.join(" "),
      role: "article",
      tabindex: "-1",
      "aria-label": `${name}, ${fullDate(message.ts)}`,
      dataset: { ts: message.ts, seq: message.seq ?? "", user: message.user, cmid: message.client_msg_id || "" },
    },
    h(
      "div",
      { class: "msg__gutter" },
      continued ? h("span", { class: "msg__hover-time" }, message.pending ? "" : timeOfDay(message.ts)) : avatar(user),
    ),
    h(
      "div",
      { class: "msg__body" },
      header,
      message.pinned ? h("div", { class: "msg__pinned" }, icon("pin"), ` ${gettext("Pinned")}`) : null,
      app.saved?.isSaved(message)
        ? h("div", { class: "msg__saved" }, icon("bookmark"), ` ${gettext("Saved for later")}`)
        : null,
      text,
      files(message),
      message.deleted ? null : renderAttachments(message.attachments, blockContext(app, message)),
      renderUnfurls(message, {
        canRemove: !message.pending && message.user === app.store.me.id,
        onRemove: (url) => app.actions.removeUnfurl(message, url),
        renderBlocks: (blocks) => renderBlocks(blocks, blockContext(app, message)),
      }),
      reactions(app, message),
      threadSummary(app, message, inThread),
      status(app, message),
    ),
    menu(app, message, inThread),
  );
}
