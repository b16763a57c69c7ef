// Slack's Block Kit blocks and legacy attachments as DOM: sections, fields, headers, context, images,
// actions, inputs and rich text, with mrkdwn through the message renderer. Text only ever reaches the page
// as text nodes and only http(s) URLs load or link, so no block can inject markup or script. A block this
// client does not know, or one that is malformed, shows its words or a short notice; it never breaks the
// message around it.

import { h } from "../dom.js";
import { gettext, interpolate } from "../i18n.js";
import { renderInline, renderMarkdown } from "../markdown.js";
import { fullDate } from "../time.js";
import { actionOf, collectState, plainTextOf, renderElement, safeUrl } from "./block-elements.js";
import { richText } from "./rich-text.js";
import { isUnfurl } from "./unfurls.js";

export { collectState };

const UNKNOWN = gettext("This content can't be displayed.");

function textObject(value, ctx, inline = false) {
  if (!value || typeof value.text !== "string") return null;
  if (value.type === "mrkdwn") {
    if (!inline) return renderMarkdown(value.text, ctx.markdownContext);
    const span = h("span");
    renderInline(span, value.text, ctx.markdownContext);
    return span;
  }
  return document.createTextNode(plainTextOf(value));
}

/**
 * An image of our own origin is shown; one elsewhere is a link to it (the page's Content-Security-Policy
 * loads no third-party image, so nobody outside learns who reads the message).
 */
function image(element, className) {
  const src = safeUrl(element?.image_url);
  const alt = typeof element?.alt_text === "string" ? element.alt_text : "";
  if (!src?.startsWith("http")) return h("span", { class: "bk-fallback" }, alt);
  if (new URL(src).origin === location.origin) {
    return h("img", { class: className, src, alt, loading: "lazy", referrerpolicy: "no-referrer" });
  }
  const label = `${alt || gettext("Image")} (${new URL(src).hostname})`;
  return h("a", { class: "bk-image-link", href: src, target: "_blank", rel: "noopener noreferrer" }, `🖼 ${label}`);
}

function sameOrigin(raw) {
  const url = raw ? safeUrl(raw) : null;
  return url && new URL(url).origin === location.origin ? url : null;
}

function fallback(value) {
  const words = value?.text?.text || value?.title?.text || value?.fallback || value?.alt_text || "";
  return h("div", { class: "bk-fallback" }, typeof words === "string" && words ? words : UNKNOWN);
}

async function confirmed(confirm, ctx) {
  if (!confirm) return true;
  const { modal } = await import("../dialogs.js");
  return new Promise((resolve) => {
    let answer = false;
    const dialog = modal(
      plainTextOf(confirm.title) || gettext("Are you sure?"),
      h("div", { class: "bk-confirm__text" }, textObject(confirm.text, ctx)),
      h(
        "div",
        { class: "btn-row" },
        h(
          "button",
          { type: "button", class: "btn", onclick: () => dialog.close() },
          plainTextOf(confirm.deny) || gettext("Cancel"),
        ),
        h(
          "button",
          {
            type: "button",
            class: `btn ${confirm.style === "danger" ? "btn--danger" : "btn--primary"}`,
            onclick: () => {
              answer = true;
              dialog.close();
            },
          },
          plainTextOf(confirm.confirm) || gettext("Confirm"),
        ),
      ),
    );
    dialog.addEventListener("close", () => resolve(answer));
  });
}

/** Send a used control's action through ctx.onAction, showing it pending, and any failure under its block. */
function sender(ctx, root, blockNode) {
  return async (node, option = null) => {
    if (!ctx.onAction) return;
    const element = node.closest("[data-action-id]") || node;
    if (!(await confirmed(element.bkConfirm, ctx))) return;
    const error = blockNode.querySelector(":scope > .bk-error");
    error?.remove();
    element.setAttribute("aria-busy", "true");
    element.classList.add("bk--pending");
    if ("disabled" in element) element.disabled = true;
    try {
      await ctx.onAction(actionOf(element, option), { values: collectState(root) });
    } catch (failure) {
      blockNode.append(
        h("div", { class: "bk-error", role: "alert" }, failure?.message || gettext("The app did not respond.")),
      );
    } finally {
      element.removeAttribute("aria-busy");
      element.classList.remove("bk--pending");
      if ("disabled" in element) element.disabled = false;
    }
  };
}

function control(element, blockId, ctx, send, label = "") {
  if (!element || typeof element !== "object") return fallback(element);
  if (element.type === "image") return image(element, "bk-accessory-image");
  const node = renderElement(element, blockId, ctx, send, label);
  if (!node) return fallback(element);
  if (element.confirm) node.bkConfirm = element.confirm;
  return node;
}

/** Checkboxes or radios beside a section's text are a group that text names (a select names itself). */
function groupLabel(block) {
  if (!["checkboxes", "radio_buttons"].includes(block.accessory?.type)) return "";
  return plainTextOf(block.text).slice(0, 150);
}

function section(block, ctx, send) {
  const main = h(
    "div",
    { class: "bk-section__main" },
    block.text ? h("div", { class: "bk-section__text" }, textObject(block.text, ctx)) : null,
  );
  if (Array.isArray(block.fields)) {
    main.append(
      h(
        "div",
        { class: "bk-fields" },
        block.fields.map((field) => h("div", { class: "bk-field" }, textObject(field, ctx))),
      ),
    );
  }
  const accessory = block.accessory
    ? h("div", { class: "bk-accessory" }, control(block.accessory, block.block_id, ctx, send, groupLabel(block)))
    : null;
  return h("div", { class: "bk-section" }, main, accessory);
}

/**
 * An input block's control sends nothing when used unless the block has `dispatch_action` (as in Slack: its
 * value goes with a submission, or in state.values of another element's action).
 */
function input(block, ctx, send) {
  const id = `bk-${block.block_id}-${Math.random().toString(36).slice(2, 8)}`;
  const label = plainTextOf(block.label);
  const dispatch = block.dispatch_action === true ? send : () => {};
  const field = control(block.element, block.block_id, ctx, dispatch, label);
  if (field.id !== undefined && !field.id) field.id = id;
  const hint = block.hint ? h("div", { class: "bk-input__hint", id: `${id}-hint` }, plainTextOf(block.hint)) : null;
  if (hint) field.setAttribute("aria-describedby", `${id}-hint`);
  if (!block.optional) field.setAttribute("aria-required", "true");
  return h(
    "div",
    { class: "bk-input-block" },
    h(
      "label",
      { class: "bk-input__label", for: id },
      label,
      block.optional ? h("span", { class: "bk-optional" }, ` ${gettext("(optional)")}`) : null,
    ),
    field,
    hint,
  );
}

function renderBlock(block, ctx, root) {
  const node = h("div", {
    class: `bk-block bk-block--${String(block.type).replace(/[^a-z_]/g, "")}`,
    dataset: { blockId: block.block_id || "" },
  });
  const send = sender(ctx, root, node);
  switch (block.type) {
    case "section":
      node.append(section(block, ctx, send));
      break;
    case "header":
      node.append(h("div", { class: "bk-header", role: "heading", "aria-level": "3" }, plainTextOf(block.text)));
      break;
    case "divider":
      node.append(h("hr", { class: "bk-divider" }));
      break;
    case "context":
      for (const item of block.elements || []) {
        node.append(
          item?.type === "image"
            ? image(item, "bk-context__image")
            : h("span", { class: "bk-context__text" }, textObject(item, ctx, true)),
        );
      }
      break;
    case "image":
      node.append(
        block.title ? h("div", { class: "bk-image__title" }, plainTextOf(block.title)) : null,
        image(block, "bk-image"),
      );
      break;
    case "actions":
      node.append(
        h(
          "div",
          { class: "bk-actions" },
          (block.elements || []).map((element) => control(element, block.block_id, ctx, send)),
        ),
      );
      break;
    case "input":
      node.append(input(block, ctx, send));
      break;
    case "rich_text":
      node.append(richText(block.elements, ctx));
      break;
    default:
      node.append(fallback(block));
  }
  return node;
}

/** Without the client's store (a view shown on its own, a test), mentions show their ids and pickers are empty. */
const BARE_MARKDOWN = {
  meId: null,
  userName: (id, label) => label || id,
  channelName: (id, label) => label || id,
  channelHref: () => null,
  usergroupHandle: (id, label) => label || id,
  inUsergroup: () => false,
};

function withDefaults(ctx) {
  return {
    people: () => [],
    conversations: () => [],
    ...ctx,
    markdownContext: ctx?.markdownContext || BARE_MARKDOWN,
  };
}

/**
 * Blocks as one node. `context`: { markdownContext, onAction(action, state) → Promise (rejects with an Error
 * whose message is shown under the block), people() and conversations(channelsOnly) → [id, name] pairs },
 * each optional: without onAction the controls can be used but send nothing.
 */
export function renderBlocks(blocks, context = {}) {
  const ctx = withDefaults(context);
  const root = h("div", { class: "bk" });
  for (const block of Array.isArray(blocks) ? blocks : []) {
    try {
      root.append(block && typeof block === "object" ? renderBlock(block, ctx, root) : fallback(null));
    } catch {
      root.append(fallback(block));
    }
  }
  return root;
}

/**
 * A forwarded message (Slack's share attachment): who wrote it, where and when, and its text. The link back
 * is offered only for a conversation this person has, so nobody is sent to one they cannot open.
 */
function share(item, ctx) {
  const channel = ctx.channel?.(String(item.channel_id || ""));
  const where = item.channel_name ? `#${item.channel_name}` : "a direct message";
  const link = channel && safeUrl(item.from_url);
  return h(
    "div",
    { class: "att att--share" },
    h(
      "div",
      { class: "att__frame" },
      h("span", { class: "att__bar" }),
      h(
        "div",
        { class: "att__body" },
        h("div", { class: "att__author" }, String(item.author_name || "")),
        h("div", { class: "att__text" }, renderMarkdown(String(item.text || ""), ctx.markdownContext)),
        h(
          "div",
          { class: "att__footer" },
          interpolate(gettext("Forwarded from %(where)s"), { where }),
          item.ts ? ` · ${fullDate(String(item.ts))}` : null,
          link ? [" · ", h("a", { href: link }, gettext("View message"))] : null,
        ),
      ),
    ),
  );
}

function attachment(item, ctx) {
  if (item.is_share) return share(item, ctx);
  const color = /^#?[0-9a-f]{6}$/i.test(item.color || "")
    ? `#${item.color.replace("#", "")}`
    : { good: "#2eb67d", warning: "#ecb22e", danger: "#e01e5a" }[item.color] || "#dddddd";
  const titleHref = item.title_link ? safeUrl(item.title_link) : null;
  const author = item.author_name
    ? h(
        "div",
        { class: "att__author" },
        sameOrigin(item.author_icon)
          ? h("img", { class: "att__author-icon", src: sameOrigin(item.author_icon), alt: "" })
          : null,
        item.author_link && safeUrl(item.author_link)
          ? h(
              "a",
              { href: safeUrl(item.author_link), target: "_blank", rel: "noopener noreferrer" },
              String(item.author_name),
            )
          : String(item.author_name),
      )
    : null;
  const fields = (Array.isArray(item.fields) ? item.fields : []).filter((field) => field && typeof field === "object");
  const markdownFields = Array.isArray(item.mrkdwn_in) && item.mrkdwn_in.includes("fields");
  const body = h(
    "div",
    { class: "att__body" },
    author,
    item.title
      ? h(
          "div",
          { class: "att__title" },
          titleHref
            ? h("a", { href: titleHref, target: "_blank", rel: "noopener noreferrer" }, String(item.title))
            : String(item.title),
        )
      : null,
    item.text ? h("div", { class: "att__text" }, renderMarkdown(String(item.text), ctx.markdownContext)) : null,
    fields.length
      ? h(
          "div",
          { class: "bk-fields" },
          fields.map((field) =>
            h(
              "div",
              { class: `bk-field${field.short ? "" : " bk-field--wide"}` },
              h("strong", {}, String(field.title ?? "")),
              markdownFields
                ? renderMarkdown(String(field.value ?? ""), ctx.markdownContext)
                : h("div", {}, String(field.value ?? "")),
            ),
          ),
        )
      : null,
    Array.isArray(item.blocks) ? renderBlocks(item.blocks, ctx) : null,
    item.image_url ? image({ image_url: item.image_url, alt_text: item.fallback || "" }, "att__image") : null,
    !item.image_url && item.thumb_url ? image({ image_url: item.thumb_url, alt_text: "" }, "att__thumb") : null,
    item.footer || item.ts
      ? h(
          "div",
          { class: "att__footer" },
          sameOrigin(item.footer_icon)
            ? h("img", { class: "att__footer-icon", src: sameOrigin(item.footer_icon), alt: "" })
            : null,
          item.footer ? String(item.footer) : null,
          item.ts ? ` · ${fullDate(String(item.ts))}` : null,
        )
      : null,
  );
  if (!body.childNodes.length && item.fallback) body.append(String(item.fallback));
  const node = h(
    "div",
    { class: "att" },
    item.pretext
      ? h("div", { class: "att__pretext" }, renderMarkdown(String(item.pretext), ctx.markdownContext))
      : null,
    h("div", { class: "att__frame" }, h("span", { class: "att__bar", style: null }), body),
  );
  node.querySelector(".att__bar").style.background = color;
  return node;
}

/** Legacy attachments (not link previews, which render/unfurls.js shows) as one node, or null. */
export function renderAttachments(attachments, context = {}) {
  const ctx = withDefaults(context);
  const items = (Array.isArray(attachments) ? attachments : []).filter(
    (item) => item && typeof item === "object" && !isUnfurl(item),
  );
  if (!items.length) return null;
  const root = h("div", { class: "atts" });
  for (const item of items) {
    try {
      root.append(attachment(item, ctx));
    } catch {
      root.append(fallback(item));
    }
  }
  return root;
}
