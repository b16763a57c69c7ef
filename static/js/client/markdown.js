// Slack's mrkdwn rendered as DOM nodes: *bold*, _italic_, ~strike~, `code`, ```blocks```, > quotes,
// lists, links, <@U…> mentions, <#C…> channels, <!here>/<!channel>/<!everyone>, <!subteam^S…> and :emoji:;
// and what people used to Markdown type: **bold**, ~~strike~~ and [text](https://…).
//
// Safe by construction: text only ever reaches the page through text nodes, and only http(s) and
// mailto URLs become links, so no message can inject markup or a javascript: URL.

import { h } from "./dom.js";
import { emojiGlyph } from "./emoji.js";

const INLINE = new RegExp(
  [
    "(?<code>`[^`\\n]+`)",
    "(?<angle><[^<>\\s][^<>]*>)",
    "(?<mdlink>\\[[^\\[\\]\\n]{1,300}\\]\\(https?:\\/\\/[^\\s()<>]{1,2000}\\))",
    "(?<url>\\bhttps?:\\/\\/[^\\s<>]+[^\\s<>.,;:!?)\\]'\"])",
    "(?<dbold>(?<=^|[\\s([{'\"~_])\\*\\*(?=\\S)[^*\\n]*?\\S?\\*\\*(?=$|[\\s.,!?;:)\\]}'\"~_]))",
    "(?<dstrike>(?<=^|[\\s([{'\"*_])~~(?=\\S)[^~\\n]*?\\S?~~(?=$|[\\s.,!?;:)\\]}'\"*_]))",
    "(?<bold>(?<=^|[\\s([{'\"~_])\\*(?=\\S)[^*\\n]*?\\S?\\*(?=$|[\\s.,!?;:)\\]}'\"~_]))",
    "(?<italic>(?<=^|[\\s([{'\"~*])_(?=\\S)[^_\\n]*?\\S?_(?=$|[\\s.,!?;:)\\]}'\"~*]))",
    "(?<strike>(?<=^|[\\s([{'\"*_])~(?=\\S)[^~\\n]*?\\S?~(?=$|[\\s.,!?;:)\\]}'\"*_]))",
    "(?<emoji>:[a-z0-9_+'-]+(?:::skin-tone-[2-6])?:)",
  ].join("|"),
  "g",
);

const FENCE = "```";
const ENTITIES = { "&lt;": "<", "&gt;": ">", "&amp;": "&" };

export function decodeEntities(text) {
  return text.replace(/&(lt|gt|amp);/g, (entity) => ENTITIES[entity]);
}

function safeHref(raw) {
  try {
    const url = new URL(raw, location.origin);
    return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function link(href, label) {
  const safe = safeHref(href);
  if (!safe) return document.createTextNode(label);
  return h("a", { href: safe, target: "_blank", rel: "noopener noreferrer nofollow", class: "md-link" }, label);
}

function angle(token, ctx) {
  const inner = token.slice(1, -1);
  const [target, label] = inner.split(/\|(.*)/s);
  if (target.startsWith("@")) {
    const id = target.slice(1);
    const me = id === ctx.meId;
    return h(
      "span",
      { class: `mention${me ? " mention--me" : ""}`, dataset: { user: id } },
      `@${ctx.userName(id, label)}`,
    );
  }
  if (target.startsWith("#")) {
    const id = target.slice(1);
    return h(
      "a",
      { class: "channel-link", href: ctx.channelHref(id), dataset: { channel: id } },
      `#${ctx.channelName(id, label)}`,
    );
  }
  if (target.startsWith("!")) {
    const [name, groupId] = target.slice(1).split("^");
    if (["here", "channel", "everyone"].includes(name)) return h("span", { class: "mention mention--me" }, `@${name}`);
    if (name === "subteam" && groupId) {
      const me = Boolean(ctx.inUsergroup?.(groupId));
      return h(
        "span",
        { class: `mention mention--group${me ? " mention--me" : ""}`, dataset: { usergroup: groupId } },
        `@${ctx.usergroupHandle ? ctx.usergroupHandle(groupId, label) : (label || groupId).replace(/^@/, "")}`,
      );
    }
    return document.createTextNode(label || token);
  }
  if (/^(https?:|mailto:)/i.test(target)) return link(target, label || target.replace(/^mailto:/, ""));
  return document.createTextNode(decodeEntities(token));
}

/** Inline markup of one line (or one quote/list item) into `parent`. */
export function renderInline(parent, text, ctx) {
  let last = 0;
  INLINE.lastIndex = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) parent.append(decodeEntities(text.slice(last, match.index)));
    const token = match[0];
    const g = match.groups;
    if (g.code) parent.append(h("code", { class: "md-code" }, decodeEntities(token.slice(1, -1))));
    else if (g.angle) parent.append(angle(token, ctx));
    else if (g.mdlink) {
      const split = token.indexOf("](");
      parent.append(link(token.slice(split + 2, -1), token.slice(1, split)));
    } else if (g.url) parent.append(link(token, token));
    else if (g.dbold || g.dstrike) {
      const node = h(g.dbold ? "strong" : "s");
      renderInline(node, token.slice(2, -2), ctx);
      parent.append(node);
    } else if (g.emoji) {
      parent.append(emojiGlyph(token.slice(1, -1)) || token);
    } else {
      const tag = g.bold ? "strong" : g.italic ? "em" : "s";
      const node = h(tag);
      renderInline(node, token.slice(1, -1), ctx);
      parent.append(node);
    }
    last = match.index + token.length;
  }
  if (last < text.length) parent.append(decodeEntities(text.slice(last)));
  return parent;
}

const QUOTE = /^(?:>|&gt;) ?(.*)$/;
const BULLET = /^\s*[-*•] +(.*)$/;
const NUMBERED = /^\s*\d+[.)] +(.*)$/;

function lineBlocks(lines, ctx) {
  const out = [];
  let paragraph = null;
  let list = null;
  let quote = null;
  const flush = (keep) => {
    if (keep !== "p") paragraph = null;
    if (keep !== "ul" && keep !== "ol") list = null;
    if (keep !== "q") quote = null;
  };
  const start = (block) => {
    out.push(block);
    return block;
  };
  for (const line of lines) {
    const quoted = line.match(QUOTE);
    const item = quoted ? null : line.match(BULLET) || line.match(NUMBERED);
    if (quoted) {
      flush("q");
      if (!quote) quote = start(h("blockquote", { class: "md-quote" }));
      else quote.append(h("br"));
      renderInline(quote, quoted[1], ctx);
    } else if (item) {
      const kind = BULLET.test(line) ? "ul" : "ol";
      flush(kind);
      if (!list || list.tagName.toLowerCase() !== kind) list = start(h(kind, { class: "md-list" }));
      list.append(renderInline(h("li"), item[1], ctx));
    } else {
      flush("p");
      if (!paragraph) paragraph = start(h("p", { class: "md-p" }));
      else paragraph.append(h("br"));
      renderInline(paragraph, line, ctx);
    }
  }
  return out;
}

/**
 * The whole message as a fragment. `ctx`: { meId, userName(id, label), channelName(id, label), channelHref(id),
 * usergroupHandle(id, label), inUsergroup(id) } (the last two optional).
 */
export function renderMarkdown(text, ctx) {
  const fragment = document.createDocumentFragment();
  const parts = (text || "").split(FENCE);
  parts.forEach((part, index) => {
    const isCode = index % 2 === 1 && index < parts.length - 1;
    if (isCode) {
      fragment.append(
        h("pre", { class: "md-pre" }, h("code", {}, decodeEntities(part.replace(/^\n/, "").replace(/\n$/, "")))),
      );
      return;
    }
    const chunk = index % 2 === 1 ? `${FENCE}${part}` : part; // an unclosed fence stays text
    const lines = chunk.replace(/^\n+|\n+$/g, "").split("\n");
    if (chunk.trim()) fragment.append(...lineBlocks(lines, ctx));
  });
  return fragment;
}

/** Plain text of a message for previews (search results, notifications, the thread pane title). */
export function plainText(text, ctx) {
  return renderMarkdown(text, ctx).textContent;
}
