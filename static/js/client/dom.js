// Building DOM without HTML strings: every piece of text goes through textContent, so user text
// can never become markup (the page's Content-Security-Policy forbids inline scripts as a second wall).

/**
 * h("button", {class: "btn", onclick: fn, "aria-label": "Close"}, "×") → an element.
 * Attributes starting with "on" become listeners; `dataset` is an object; null/false attributes are skipped.
 * Children are nodes or strings (strings become text nodes); arrays are flattened; null is skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

/**
 * The element on the page now that stands for `element`: itself while it is in the page, else the element a
 * redraw put in its place (the same `data-focus-key`). The sidebar redraws on every unread change, so a
 * button that opened a dialog may be gone by the time the dialog closes.
 */
export function successorOf(element) {
  if (!element || element.isConnected) return element;
  const key = element.dataset?.focusKey;
  return key ? document.querySelector(`[data-focus-key="${CSS.escape(key)}"]`) : null;
}

/** Give the focus back to `opener` (or its successor) unless something else has already taken it. */
export function refocus(opener) {
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return;
  successorOf(opener)?.focus();
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}

/** An <svg> icon from the sprite-free set below (paths only, so no markup strings are parsed). */
const ICONS = {
  search: "M10 2a8 8 0 1 0 4.9 14.3l5.4 5.4 1.4-1.4-5.4-5.4A8 8 0 0 0 10 2zm0 2a6 6 0 1 1 0 12 6 6 0 0 1 0-12z",
  plus: "M11 4h2v7h7v2h-7v7h-2v-7H4v-2h7z",
  eye: "M12 5C6.5 5 2.7 9.1 1.5 12c1.2 2.9 5 7 10.5 7s9.3-4.1 10.5-7C21.3 9.1 17.5 5 12 5zm0 2c4 0 7 2.8 8.3 5-1.3 2.2-4.3 5-8.3 5s-7-2.8-8.3-5C5 9.8 8 7 12 7zm0 2a3 3 0 1 0 0 6 3 3 0 0 0 0-6z",
  close: "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4L12 13.4 6.4 19 5 17.6l5.6-5.6L5 6.4z",
  smile:
    "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16zM8.5 9a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm7 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zM7.8 14a4.5 4.5 0 0 0 8.4 0z",
  thread: "M4 4h16v11H8l-4 4zm2 2v8.2L7.2 13H18V6z",
  pin: "M14 2l8 8-2 1-3-1-4 4 1 5-2 1-4-4-5 5-1-1 5-5-4-4 1-2 5 1 4-4-1-3z",
  more: "M5 10a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm7 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm7 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4z",
  attach:
    "M16.5 6v11.5a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6H9v9.5a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v12.5a6 6 0 0 0 12 0V6z",
  send: "M2 21 23 12 2 3v7l15 2-15 2z",
  bolt: "M13 2 4 14h6l-1 8 9-12h-6z",
  bookmark: "M6 2h12a1 1 0 0 1 1 1v19l-7-4-7 4V3a1 1 0 0 1 1-1zm1 2v14.6l5-2.9 5 2.9V4z",
  people:
    "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm0 2c-4 0-7 2-7 4.5V20h14v-2.5C16 15 13 13 9 13zm8-2a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm1 2h-1.2A5.6 5.6 0 0 1 18 17.5V20h4v-2.5c0-2.3-1.8-4-4-4.5z",
  at: "M12 2a10 10 0 1 0 5 18.7l-1-1.7A8 8 0 1 1 20 12v1a2 2 0 0 1-4 0V7h-2v1a5 5 0 1 0 .9 7.3A4 4 0 0 0 22 13v-1A10 10 0 0 0 12 2zm0 7a3 3 0 1 1 0 6 3 3 0 0 1 0-6z",
  menu: "M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z",
  info: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm-1 5h2v2h-2zm0 4h2v6h-2z",
  edit: "M3 17.2V21h3.8L17.8 10l-3.8-3.8zM20.7 7a1 1 0 0 0 0-1.4l-2.3-2.3a1 1 0 0 0-1.4 0l-1.8 1.8 3.8 3.8z",
  trash: "M6 7h12l-1 14H7zm3-4h6l1 2h4v2H4V5h4z",
  link: "M10.6 13.4a1 1 0 0 0 1.4 0l4-4a3 3 0 0 0-4.2-4.2l-1.5 1.5 1.4 1.4 1.5-1.5a1 1 0 0 1 1.4 1.4l-4 4a1 1 0 0 0 0 1.4zm2.8-2.8a1 1 0 0 0-1.4 0l-4 4a3 3 0 0 0 4.2 4.2l1.5-1.5-1.4-1.4-1.5 1.5a1 1 0 0 1-1.4-1.4l4-4a1 1 0 0 0 0-1.4z",
};

export function icon(name, label = "") {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  if (label) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
  } else svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICONS[name] || ICONS.info);
  svg.append(path);
  return svg;
}

/**
 * Mark `anchor` aria-expanded while `popup` (a menu, a picker) is in the page. A message's toolbar is
 * shown only on hover or focus, so this also keeps its button on screen while its popup has the focus,
 * and the popup can give the focus back to it when it closes.
 */
export function expandedWhileOpen(anchor, popup) {
  anchor.setAttribute("aria-expanded", "true");
  new MutationObserver((_, observer) => {
    if (!popup.isConnected) {
      anchor.setAttribute("aria-expanded", "false");
      observer.disconnect();
    }
  }).observe(document.body, { childList: true });
}
