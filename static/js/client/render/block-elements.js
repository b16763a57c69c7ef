// Block Kit's interactive elements as native controls (button, select, date and time inputs, checkboxes,
// radios, text inputs), so the keyboard and screen readers work as they do everywhere else. Each control
// is tagged with its block_id, action_id and type; its element's JSON is kept beside it, so a choice is
// sent as the option the app offered (value and text), and collectState reads every input at once.

import { h } from "../dom.js";
import { shortcodesToText } from "../emoji.js";
import { gettext } from "../i18n.js";
import { renderInline } from "../markdown.js";

const SPEC = new WeakMap(); // control node -> its element's JSON

function plain(textObject) {
  const text = typeof textObject?.text === "string" ? textObject.text : "";
  return textObject?.type === "mrkdwn" ? text : shortcodesToText(text);
}

export function safeUrl(raw) {
  try {
    const url = new URL(String(raw), location.origin);
    return ["http:", "https:", "mailto:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

/** A link a button or an overflow item opens in a new tab: http(s) only. */
function httpUrl(raw) {
  const url = safeUrl(raw);
  return url?.startsWith("http") ? url : null;
}

function allOptions(element) {
  const grouped = (element.option_groups || []).flatMap((group) => group?.options || []);
  return [...(element.options || []), ...grouped].filter((option) => option && typeof option.value === "string");
}

function optionByValue(element, value) {
  return allOptions(element).find((option) => option.value === value) || null;
}

function tag(node, element, blockId) {
  SPEC.set(node, element);
  node.dataset.blockId = blockId ?? "";
  node.dataset.actionId = element.action_id || "";
  node.dataset.type = element.type;
  return node;
}

function optionNodes(options, selected) {
  return options.map((option) =>
    h("option", { value: option.value, selected: selected.includes(option.value) }, plain(option.text)),
  );
}

function selectOptions(element, ctx) {
  switch (element.type) {
    case "users_select":
    case "multi_users_select":
      return ctx.people();
    case "conversations_select":
    case "multi_conversations_select":
    case "channels_select":
    case "multi_channels_select":
      return ctx.conversations(element.type.includes("channels"));
    default:
      return null;
  }
}

function initialValues(element) {
  const single = element.initial_option?.value ?? element.initial_user ?? element.initial_conversation;
  const many = (element.initial_options || []).map((option) => option?.value);
  return [single ?? element.initial_channel, ...many, ...(element.initial_users || [])].filter(Boolean);
}

function select(element, blockId, ctx, label) {
  const multiple = element.type.startsWith("multi_");
  const node = h("select", { class: "bk-select", multiple, "aria-label": label || plain(element.placeholder) });
  const selected = initialValues(element);
  if (!multiple) node.append(h("option", { value: "" }, plain(element.placeholder) || gettext("Choose…")));
  const people = selectOptions(element, ctx);
  if (people)
    node.append(...people.map(([id, name]) => h("option", { value: id, selected: selected.includes(id) }, name)));
  else if (element.option_groups) {
    for (const group of element.option_groups) {
      node.append(h("optgroup", { label: plain(group?.label) }, optionNodes(group?.options || [], selected)));
    }
  } else node.append(...optionNodes(allOptions(element), selected));
  return tag(node, element, blockId);
}

/** An option's text or description: mrkdwn drawn inline (checkboxes and radios allow it), else plain. */
function optionText(textObject, ctx, className = null) {
  const span = h("span", { class: className });
  if (textObject?.type === "mrkdwn" && ctx?.markdownContext) renderInline(span, plain(textObject), ctx.markdownContext);
  else span.append(plain(textObject));
  return span;
}

function choices(element, blockId, ctx, label) {
  const radio = element.type === "radio_buttons";
  const name = `bk-${blockId}-${element.action_id}-${Math.random().toString(36).slice(2, 8)}`;
  const selected = initialValues(element);
  const node = h("fieldset", { class: "bk-choices" }, label ? h("legend", { class: "bk-sr" }, label) : null);
  for (const option of allOptions(element)) {
    const input = h("input", { type: radio ? "radio" : "checkbox", name, value: option.value });
    input.checked = selected.includes(option.value);
    node.append(
      h(
        "label",
        { class: "bk-choice" },
        input,
        optionText(option.text, ctx),
        option.description ? optionText(option.description, ctx, "bk-choice__hint") : null,
      ),
    );
  }
  return tag(node, element, blockId);
}

function textInput(element, blockId, label) {
  const kinds = { email_text_input: "email", url_text_input: "url", number_input: "number" };
  const attrs = {
    class: "bk-input",
    placeholder: plain(element.placeholder) || null,
    minlength: element.min_length ?? null,
    maxlength: element.max_length ?? null,
    "aria-label": label || null,
  };
  const node = element.multiline
    ? h("textarea", { ...attrs, rows: 4 })
    : h("input", { ...attrs, type: kinds[element.type] || "text" });
  node.value = element.initial_value ?? "";
  return tag(node, element, blockId);
}

function button(element, blockId, onPress) {
  const style = ["primary", "danger"].includes(element.style) ? ` bk-button--${element.style}` : "";
  const url = element.url ? httpUrl(element.url) : null;
  const attrs = { class: `bk-button${style}`, "aria-label": element.accessibility_label || null };
  const node = url
    ? h("a", { ...attrs, href: url, target: "_blank", rel: "noopener noreferrer" }, plain(element.text))
    : h("button", { ...attrs, type: "button" }, plain(element.text));
  node.addEventListener("click", () => onPress(node));
  return tag(node, element, blockId);
}

function overflow(element, blockId, onChoose) {
  const menu = h("div", { class: "bk-overflow__menu", role: "menu", hidden: true });
  const toggle = h(
    "button",
    { type: "button", class: "bk-overflow", "aria-haspopup": "menu", "aria-label": gettext("More options") },
    "⋯",
  );
  const node = h("div", { class: "bk-overflow-wrap" }, toggle, menu);
  toggle.addEventListener("click", () => {
    menu.hidden = !menu.hidden;
    if (!menu.hidden) menu.querySelector("button")?.focus();
  });
  for (const option of allOptions(element)) {
    const item = h("button", { type: "button", role: "menuitem", class: "bk-overflow__item" }, plain(option.text));
    item.addEventListener("click", () => {
      menu.hidden = true;
      const url = option.url ? httpUrl(option.url) : null;
      if (url) window.open(url, "_blank", "noopener,noreferrer");
      onChoose(node, option);
    });
    menu.append(item);
  }
  return tag(node, element, blockId);
}

/** The value fields Slack sends for a control as it stands now ({} for a control without a value yet). */
export function controlValue(node) {
  const element = SPEC.get(node) || {};
  const type = element.type;
  if (type === "button") return element.value !== undefined ? { value: element.value } : {};
  if (node.tagName === "SELECT") {
    const values = [...node.selectedOptions].map((option) => option.value).filter(Boolean);
    const key = { users: "user", conversations: "conversation", channels: "channel" }[
      type.replace("multi_", "").split("_")[0]
    ];
    if (key)
      return type.startsWith("multi_") ? { [`selected_${key}s`]: values } : { [`selected_${key}`]: values[0] ?? null };
    if (type.startsWith("multi_")) return { selected_options: values.map((value) => optionByValue(element, value)) };
    return { selected_option: values[0] ? optionByValue(element, values[0]) : null };
  }
  if (type === "checkboxes" || type === "radio_buttons") {
    const picked = [...node.querySelectorAll("input:checked")].map((input) => optionByValue(element, input.value));
    return type === "checkboxes" ? { selected_options: picked } : { selected_option: picked[0] || null };
  }
  if (type === "datepicker") return { selected_date: node.value || null };
  if (type === "timepicker") return { selected_time: node.value || null };
  if (node.tagName === "INPUT" || node.tagName === "TEXTAREA") return { value: node.value };
  return {};
}

/** state.values of every control under `root`: {block_id: {action_id: {type, ...value}}}, as Slack sends it. */
export function collectState(root) {
  const values = {};
  for (const node of root.querySelectorAll("[data-action-id]")) {
    if (node.dataset.type === "button" || node.dataset.type === "overflow" || !node.dataset.actionId) continue;
    if (!values[node.dataset.blockId]) values[node.dataset.blockId] = {};
    values[node.dataset.blockId][node.dataset.actionId] = { type: node.dataset.type, ...controlValue(node) };
  }
  return values;
}

/** The action Slack sends when `node` was used (`option`: the overflow item chosen). */
export function actionOf(node, option = null) {
  const element = SPEC.get(node) || {};
  const action = { action_id: element.action_id, block_id: node.dataset.blockId, type: element.type };
  if (element.type === "button") action.text = element.text;
  if (element.type === "overflow") return { ...action, selected_option: option };
  return { ...action, ...controlValue(node) };
}

/** How long typing pauses before an `on_character_entered` text input sends its value. */
export const TYPING_PAUSE_MS = 500;

/**
 * A text input sends per its dispatch_action_config: when its value is committed (Enter or leaving it;
 * Slack's default `on_enter_pressed`) and/or once typing pauses (`on_character_entered`), never per key.
 */
function dispatchText(node, element, send) {
  const triggers = element.dispatch_action_config?.trigger_actions_on;
  const on = Array.isArray(triggers) && triggers.length ? triggers : ["on_enter_pressed"];
  if (on.includes("on_enter_pressed")) node.addEventListener("change", () => send(node));
  if (!on.includes("on_character_entered")) return;
  let timer = null;
  node.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => send(node), TYPING_PAUSE_MS);
  });
}

/**
 * An interactive element as a control. `send(node, option)` is called when it is used: a click, a choice,
 * a date, a text input's value committed (Enter or leaving it, never each keystroke); `ctx.people()` and `ctx.conversations(channelsOnly)` give [id, name] pairs for the pickers.
 * Returns null for a type this client does not know (the caller shows its fallback).
 */
export function renderElement(element, blockId, ctx, send, label = "") {
  const changed = (node) => node.addEventListener("change", () => send(node));
  switch (element.type) {
    case "button":
      return button(element, blockId, (node) => send(node));
    case "overflow":
      return overflow(element, blockId, send);
    case "static_select":
    case "multi_static_select":
    case "external_select":
    case "multi_external_select":
    case "users_select":
    case "multi_users_select":
    case "conversations_select":
    case "multi_conversations_select":
    case "channels_select":
    case "multi_channels_select": {
      const node = select(element, blockId, ctx, label);
      changed(node);
      return node;
    }
    case "checkboxes":
    case "radio_buttons": {
      const node = choices(element, blockId, ctx, label);
      changed(node);
      return node;
    }
    case "datepicker":
    case "timepicker": {
      const node = tag(
        h("input", {
          type: element.type === "datepicker" ? "date" : "time",
          class: "bk-input bk-input--short",
          "aria-label": label || plain(element.placeholder) || null,
        }),
        element,
        blockId,
      );
      node.value = element.initial_date || element.initial_time || "";
      changed(node);
      return node;
    }
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input": {
      const node = textInput(element, blockId, label);
      dispatchText(node, element, send);
      return node;
    }
    default:
      return null;
  }
}

export { plain as plainTextOf };
