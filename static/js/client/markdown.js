// Slack's mrkdwn rendered as DOM nodes: *bold*, _italic_, ~strike~, `code`, ```blocks```, > quotes,
// lists, links, <@U…> mentions, <#C…> channels, <!here>/<!channel>/<!everyone>, <!subteam^S…> and :emoji:;
// and what people used to Markdown type: **bold**, ~~strike~~, [text](https://…), "-"/"*"/"•" and "1."/"1)" lists
// (nested by indentation, a numbered list keeping its first number) and ```python fences, coloured by highlight.js.
//
// Safe by construction: text only ever reaches the page through text nodes, and only http(s) and
// mailto URLs become links, so no message can inject markup or a javascript: URL.

import { h } from "./dom.js";
import { emojiGlyph } from "./emoji.js";
import { fenceLanguage, HIGHLIGHT_MAX_CHARS, highlightInto } from "./highlight.js";

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

/** A link from stored text: its address and label still carry Slack's entities (`&amp;`), decoded here once. */
function link(href, rawLabel) {
  const safe = safeHref(decodeEntities(href));
  const label = decodeEntities(rawLabel);
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
    return document.createTextNode(decodeEntities(label || token));
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
// A list item: its indentation, its marker ("-", "*", "•", or a number with "." or ")") and its text.
const ITEM = /^([ \t]*)(?:([-*•])|(\d{1,9})[.)]) +(.*)$/;
const MAX_LIST_DEPTH = 8;

function indentWidth(space) {
  return space.replace(/\t/g, "    ").length;
}

/**
 * Builds nested <ul>/<ol> from consecutive item lines: an item indented deeper than the one before it opens
 * a list inside that item; a different marker at the same depth starts a new list. Each line pushes at most
 * one level and pops what it closes, so the work is linear in the lines.
 */
class ListBuilder {
  constructor(out, ctx) {
    this.out = out;
    this.ctx = ctx;
    this.stack = [];
  }

  add(match) {
    const indent = indentWidth(match[1]);
    const kind = match[2] ? "ul" : "ol";
    while (this.stack.length && this.stack.at(-1).indent > indent) this.stack.pop();
    let top = this.stack.at(-1);
    if (top && top.indent < indent && this.stack.length < MAX_LIST_DEPTH) {
      top = this.open(kind, match[3], indent, top.item);
    } else if (!top || top.kind !== kind) {
      const parent = top ? top.parent : null;
      if (top) this.stack.pop();
      top = this.open(kind, match[3], top ? top.indent : indent, parent);
    }
    top.item = renderInline(h("li"), match[4], this.ctx);
    top.list.append(top.item);
  }

  open(kind, number, indent, parent) {
    const start = kind === "ol" && number && Number(number) !== 1 ? Number(number) : null;
    const list = h(kind, { class: "md-list", start });
    if (parent) parent.append(list);
    else this.out.push(list);
    const level = { kind, indent, list, parent, item: null };
    this.stack.push(level);
    return level;
  }
}

function lineBlocks(lines, ctx) {
  const out = [];
  let paragraph = null;
  let list = null;
  let quote = null;
  const start = (block) => {
    out.push(block);
    return block;
  };
  for (const line of lines) {
    const quoted = line.match(QUOTE);
    const item = quoted ? null : line.match(ITEM);
    if (!item) list = null;
    if (quoted) {
      paragraph = null;
      if (!quote) quote = start(h("blockquote", { class: "md-quote" }));
      else quote.append(h("br"));
      renderInline(quote, quoted[1], ctx);
    } else if (item) {
      paragraph = null;
      quote = null;
      list ??= new ListBuilder(out, ctx);
      list.add(item);
    } else {
      quote = null;
      if (!paragraph) paragraph = start(h("p", { class: "md-p" }));
      else paragraph.append(h("br"));
      renderInline(paragraph, line, ctx);
    }
  }
  return out;
}

// A fence's first line names its language when it is one word the highlighter knows ("```python").
const FENCE_HINT = /^([A-Za-z][\w+#.-]{0,19})[ \t]*\n/;

/** A fenced block's language (null when none or unknown, so the line stays code) and its code. */
export function fenceParts(part) {
  const hint = part.match(FENCE_HINT);
  const language = hint ? fenceLanguage(hint[1]) : null;
  const body = language ? part.slice(hint[0].length) : part.replace(/^\n/, "");
  return { language, code: decodeEntities(body.replace(/\n$/, "")) };
}

const pending = new Set();

/** Resolves once every highlighting started so far has finished (for tests and screenshots). */
export function highlightsSettled() {
  return Promise.allSettled([...pending]);
}

function codeBlock(part, budget, highlight) {
  const { language, code } = fenceParts(part);
  const colour = highlight && language && language !== "plaintext" && code.length <= budget.left;
  const node = h("code", { class: language && language !== "plaintext" ? `language-${language}` : null }, code);
  if (colour) {
    budget.left -= code.length;
    const done = highlightInto(node, code, language).finally(() => pending.delete(done));
    pending.add(done);
  }
  return h("pre", { class: "md-pre" }, node);
}

/**
 * The whole message as a fragment. `ctx`: { meId, userName(id, label), channelName(id, label), channelHref(id),
 * usergroupHandle(id, label), inUsergroup(id) } (the last two optional). Code blocks that name a language are
 * coloured once the highlighter has loaded, up to HIGHLIGHT_MAX_CHARS of code per message, unless
 * `highlight` is false.
 */
export function renderMarkdown(text, ctx, { highlight = true } = {}) {
  const fragment = document.createDocumentFragment();
  const parts = (text || "").split(FENCE);
  const budget = { left: HIGHLIGHT_MAX_CHARS };
  parts.forEach((part, index) => {
    const isCode = index % 2 === 1 && index < parts.length - 1;
    if (isCode) {
      fragment.append(codeBlock(part, budget, highlight));
      return;
    }
    const chunk = index % 2 === 1 ? `${FENCE}${part}` : part; // an unclosed fence stays text
    const lines = chunk.replace(/^\n+|\n+$/g, "").split("\n");
    if (chunk.trim()) fragment.append(...lineBlocks(lines, ctx));
  });
  return fragment;
}

// --- Plain text: what a desktop notification or a screen reader's announcement shows -------------------

function isElement(node, ...tags) {
  return typeof node.tagName === "string" && (!tags.length || tags.includes(node.tagName.toLowerCase()));
}

function linkText(node) {
  const label = node.textContent;
  const href = node.getAttribute("href") || "";
  const shown = href.replace(/^mailto:/, "");
  return [label, `${label}/`].includes(shown) || !node.classList.contains("md-link") ? label : `${label} (${shown})`;
}

function inlineText(node) {
  let text = "";
  for (const child of node.childNodes) {
    if (isElement(child, "br")) text += "\n";
    else if (isElement(child, "a")) text += linkText(child);
    else if (isElement(child, "ul", "ol")) continue;
    else if (isElement(child)) text += inlineText(child);
    else text += child.textContent;
  }
  return text;
}

function listLines(list, depth, lines) {
  const ordered = isElement(list, "ol");
  let number = Number(list.getAttribute("start")) || 1;
  for (const item of list.childNodes) {
    const marker = ordered ? `${number++}.` : "•";
    lines.push(`${"  ".repeat(depth)}${marker} ${inlineText(item)}`);
    for (const child of item.childNodes) if (isElement(child, "ul", "ol")) listLines(child, depth + 1, lines);
  }
}

/**
 * Plain text of a message for previews (desktop notifications, announcements): markup dropped, names
 * resolved, a labelled link as "label (address)", list items one a line with their bullet or number, quoted
 * lines after "> ", code as it is. chat.markup.to_plain_text gives emails the same.
 */
export function plainText(text, ctx) {
  const lines = [];
  for (const block of renderMarkdown(text, ctx, { highlight: false }).childNodes) {
    if (isElement(block, "ul", "ol")) listLines(block, 0, lines);
    else if (isElement(block, "pre")) lines.push(block.textContent);
    else if (isElement(block, "blockquote"))
      lines.push(
        ...inlineText(block)
          .split("\n")
          .map((line) => `> ${line}`),
      );
    else lines.push(inlineText(block));
  }
  return lines.join("\n");
}
