// Slack's rich_text block as DOM: sections, lists (indent, offset, border), quotes and preformatted text;
// leaves with bold/italic/strike/code styles, links (http(s) and mailto only), mentions drawn as mrkdwn's
// are, emoji, dates and colours. Text only ever reaches the page as text nodes.

import { h } from "../dom.js";
import { emojiGlyph } from "../emoji.js";
import { renderInline } from "../markdown.js";
import { fullDate } from "../time.js";
import { safeUrl } from "./block-elements.js";

/** The elements of a rich_text block (`ctx.markdownContext` draws mentions) as a fragment. */
export function richText(elements, ctx) {
  const out = document.createDocumentFragment();
  for (const part of elements || []) {
    if (!part || typeof part !== "object") continue;
    if (part.type === "rich_text_list") {
      const indent = Number.isInteger(part.indent) ? Math.min(Math.max(part.indent, 0), 8) : 0;
      const list = h(part.style === "ordered" ? "ol" : "ul", {
        class: `bk-rt-list bk-rt-indent-${indent}${part.border ? " bk-rt-list--border" : ""}`,
        start: part.style === "ordered" && Number.isInteger(part.offset) ? part.offset + 1 : null,
      });
      for (const item of part.elements || []) list.append(h("li", {}, richText([item], ctx)));
      out.append(list);
    } else if (part.type === "rich_text_quote")
      out.append(h("blockquote", { class: "md-quote" }, richLeaves(part.elements, ctx)));
    else if (part.type === "rich_text_preformatted")
      out.append(h("pre", { class: "md-pre" }, h("code", {}, richLeaves(part.elements, ctx).textContent)));
    else out.append(h("div", { class: "bk-rt-section" }, richLeaves(part.elements, ctx)));
  }
  return out;
}

function styled(node, style) {
  let result = node;
  if (style?.code) result = h("code", { class: "md-code" }, result);
  if (style?.bold) result = h("strong", {}, result);
  if (style?.italic) result = h("em", {}, result);
  if (style?.strike) result = h("s", {}, result);
  return result;
}

/** A rich-text mention as the mrkdwn token messages carry, so it looks and behaves as it does in text. */
const MENTIONS = {
  user: (leaf) => `@${leaf.user_id}`,
  usergroup: (leaf) => `!subteam^${leaf.usergroup_id}`,
  channel: (leaf) => `#${leaf.channel_id}`,
  broadcast: (leaf) => `!${["here", "channel", "everyone"].includes(leaf.range) ? leaf.range : "here"}`,
};

function mention(target, md) {
  if (!/^[@#!][A-Za-z0-9^]+$/.test(target)) return document.createTextNode("");
  const span = h("span");
  renderInline(span, `<${target}>`, md);
  return span.firstChild;
}

/** A rich-text date: the reader's local date and time (Slack's format tokens are not interpreted), else its fallback. */
function richDate(leaf) {
  const seconds = Number(leaf.timestamp);
  if (!Number.isFinite(seconds) || seconds <= 0) return document.createTextNode(String(leaf.fallback ?? ""));
  const when = new Date(seconds * 1000);
  return h("time", { datetime: when.toISOString() }, fullDate(String(seconds)));
}

function richLeaves(elements, ctx) {
  const span = h("span");
  const md = ctx.markdownContext;
  for (const leaf of elements || []) {
    if (!leaf || typeof leaf !== "object") continue;
    let node;
    if (leaf.type === "text") node = document.createTextNode(String(leaf.text ?? ""));
    else if (leaf.type === "link") {
      const href = safeUrl(leaf.url);
      const label = String(leaf.text || leaf.url || "");
      node = href
        ? h("a", { href, target: "_blank", rel: "noopener noreferrer nofollow", class: "md-link" }, label)
        : document.createTextNode(label);
    } else if (Object.hasOwn(MENTIONS, leaf.type)) node = mention(MENTIONS[leaf.type](leaf), md);
    else if (leaf.type === "emoji") node = emojiGlyph(String(leaf.name)) || document.createTextNode(`:${leaf.name}:`);
    else if (leaf.type === "date") node = richDate(leaf);
    else if (leaf.type === "color") node = h("span", { class: "bk-rt-color" }, String(leaf.value ?? ""));
    else node = document.createTextNode(String(leaf.text ?? ""));
    span.append(styled(node, leaf.style));
  }
  return span;
}
