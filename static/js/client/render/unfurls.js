// Unfurls under a message: the server's link previews (attachments with `from_url` / `original_url`, their
// image served from this site) and apps' unfurls (`is_app_unfurl`, from chat.unfurl). Built with DOM APIs and
// textContent only; links only for http(s); images only from this site, so reading a message tells no third
// party who reads it. The message's author gets an "x" to remove an unfurl (Slack's "Remove attachment").

import { h, icon } from "../dom.js";
import { gettext, interpolate } from "../i18n.js";

/** Whether an attachment is an unfurl (the server's preview or an app's), not one the sender attached. */
export function isUnfurl(attachment) {
  if (!attachment || attachment.is_share) return false; // a forwarded message: render/blocks.js draws it
  return Boolean(attachment.is_app_unfurl || attachment.from_url || attachment.original_url);
}

/** The link an unfurl is about. */
export function unfurlUrl(attachment) {
  return attachment.is_app_unfurl ? attachment.app_unfurl_url : attachment.from_url || attachment.original_url;
}

function httpUrl(value) {
  if (typeof value !== "string") return null;
  try {
    const url = new URL(value, location.origin);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function ourImage(value) {
  const url = httpUrl(value);
  return url && new URL(url).origin === location.origin ? url : null;
}

// The words of an app's blocks, when no Block Kit renderer is given (render/blocks.js draws them in full).
function blockWords(blocks) {
  const words = [];
  for (const block of blocks || []) {
    if (typeof block?.text?.text === "string") words.push(block.text.text);
    for (const field of block?.fields || []) if (typeof field?.text === "string") words.push(field.text);
    for (const element of block?.elements || []) if (typeof element?.text === "string") words.push(element.text);
  }
  return words.join("\n");
}

function unfurlCard(attachment, { canRemove, onRemove, renderBlocks }) {
  const url = unfurlUrl(attachment);
  const link = httpUrl(attachment.title_link || url);
  const title = attachment.title ? String(attachment.title) : "";
  const hasBlocks = Array.isArray(attachment.blocks) && attachment.blocks.length > 0;
  const blocks = hasBlocks && renderBlocks ? renderBlocks(attachment.blocks) : null;
  const text = attachment.text ? String(attachment.text) : blocks ? "" : blockWords(attachment.blocks);
  const image = ourImage(attachment.image_url) || ourImage(attachment.thumb_url);
  const site = attachment.service_name || attachment.author_name || "";
  return h(
    "div",
    {
      class: `unfurl${attachment.is_app_unfurl ? " unfurl--app" : ""}`,
      role: "group",
      "aria-label": interpolate(gettext("Preview of %(name)s"), { name: url }),
      dataset: { url: url || "" },
    },
    h(
      "div",
      { class: "unfurl__body" },
      site ? h("div", { class: "unfurl__site" }, String(site)) : null,
      title
        ? link
          ? h("a", { class: "unfurl__title", href: link, target: "_blank", rel: "noopener noreferrer nofollow" }, title)
          : h("div", { class: "unfurl__title" }, title)
        : null,
      text ? h("div", { class: "unfurl__text" }, text) : null,
      blocks,
      image
        ? h("img", { class: "unfurl__image", src: image, alt: "", loading: "lazy", referrerpolicy: "no-referrer" })
        : null,
    ),
    canRemove && url
      ? h(
          "button",
          {
            type: "button",
            class: "unfurl__remove",
            title: gettext("Remove preview"),
            "aria-label": gettext("Remove preview"),
            onclick: () => onRemove?.(url),
          },
          icon("close"),
        )
      : null,
  );
}

/**
 * The unfurls of `message` as one element, or null when it has none. `canRemove`: the reader wrote the
 * message; `onRemove(url)` removes one; `renderBlocks(blocks)` draws an app unfurl's Block Kit blocks.
 */
export function renderUnfurls(message, { canRemove = false, onRemove = null, renderBlocks = null } = {}) {
  const unfurls = (message.attachments || []).filter(isUnfurl);
  if (!unfurls.length || message.deleted) return null;
  return h(
    "div",
    { class: "unfurls" },
    unfurls.map((attachment) => unfurlCard(attachment, { canRemove, onRemove, renderBlocks })),
  );
}
