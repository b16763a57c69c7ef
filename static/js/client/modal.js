// An app's modals: a stack of up to three views shown in one native <dialog> (showModal makes the page
// behind it inert; Tab is kept inside it here as well, since a browser may otherwise hand the focus to its
// own toolbar). Escape is the view's close button, the X closes the whole stack, and the focus goes back to
// where it was when the first view opened. The server sends the views on this person's own sockets.

import { clear, h, icon, successorOf } from "./dom.js";
import { gettext, interpolate } from "./i18n.js";
import { collectState, renderBlocks } from "./render/blocks.js";
import { blockContext } from "./render/message.js";

export const MAX_STACK = 3;

/** The modal stack's rules, apart from the DOM (js-tests/modal.test.mjs). */
export class ViewStack {
  constructor() {
    this.views = [];
  }
  get top() {
    return this.views.at(-1) || null;
  }
  open(view) {
    this.views = [view];
  }
  /** views.push (or a `push` answer): false when three are shown already. */
  push(view) {
    if (this.views.some((shown) => shown.id === view.id)) return this.replace(view);
    if (this.views.length >= MAX_STACK) return false;
    this.views.push(view);
    return true;
  }
  /** views.update (or an `update` answer): only the view of the same id changes, wherever it is. */
  replace(view) {
    const index = this.views.findIndex((shown) => shown.id === view.id);
    if (index < 0) return false;
    this.views[index] = view;
    return true;
  }
  pop() {
    this.views.pop();
    return this.top;
  }
  /** views_cleared names its stack's root: another stack (one opened since) stays. */
  clear(rootId = null) {
    const root = this.views[0];
    if (rootId && root && root.root_view_id !== rootId && root.id !== rootId) return false;
    this.views = [];
    return true;
  }
}

/**
 * What a view_submission's answer asks of the stack: {kind: "errors", errors} | {kind: "update" | "push",
 * view} | {kind: "close"}. An answer this client cannot act on (an update without a view) closes nothing.
 */
export function submissionOutcome(answer) {
  const action = answer?.response_action ?? null;
  if (action === "errors") return { kind: "errors", errors: answer.errors || {} };
  if ((action === "update" || action === "push") && answer.view) return { kind: action, view: answer.view };
  if (action === null || action === "clear") return { kind: "close" };
  return { kind: "none" };
}

/**
 * Where each error of an `errors` answer goes: beside the input block it names (`placed`, with the id its
 * control is described by), or, for a block_id the view does not have, in the modal's error line.
 */
export function errorPlacements(errors, blockIds) {
  const known = new Set(blockIds);
  const placed = [];
  const unplaced = [];
  for (const [blockId, text] of Object.entries(errors || {})) {
    if (known.has(blockId)) placed.push({ blockId, id: `app-modal-error-${blockId}`, text: String(text) });
    else unplaced.push(String(text));
  }
  return { placed, unplaced };
}

/** The words for a failed request: the server's own sentence for an app that did not ack in time. */
export function failureText(error, appName = gettext("The app")) {
  if (error?.code === "app_did_not_respond")
    return error.message || interpolate(gettext("%(app)s did not respond. Try again."), { app: appName });
  return error?.message || gettext("Something went wrong. Try again.");
}

const FOCUSABLE = "button, [href], input, select, textarea, [tabindex]:not([tabindex='-1'])";

/** Tab and Shift+Tab wrap around inside `root`. */
export function trapTab(root, event) {
  if (event.key !== "Tab") return;
  const items = [...root.querySelectorAll(FOCUSABLE)].filter(
    (node) => !node.disabled && !node.closest("[hidden]") && node.getClientRects().length,
  );
  if (!items.length) return;
  const first = items[0];
  const last = items.at(-1);
  const inside = root.contains(document.activeElement);
  if (event.shiftKey && (document.activeElement === first || !inside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (document.activeElement === last || !inside)) {
    event.preventDefault();
    first.focus();
  }
}

const textOf = (textObject, fallback = "") =>
  typeof textObject?.text === "string" && textObject.text ? textObject.text : fallback;

export class AppModal {
  constructor(app) {
    this.app = app;
    this.stack = new ViewStack();
    this.dialog = null;
    this.opener = null; // what had the focus before the first view opened
  }

  /** view_opened, view_pushed, view_updated and views_cleared. */
  onEvent(event) {
    if (event.type === "view_opened") {
      this.stack.open(event.view);
      this.show();
    } else if (event.type === "view_pushed") {
      if (this.stack.push(event.view)) this.show();
    } else if (event.type === "view_updated") {
      if (this.stack.replace(event.view)) this.show({ keepFocus: true });
    } else if (event.type === "views_cleared") {
      if (this.stack.clear(event.root_view_id)) this.hide();
    }
  }

  /** Clicks and choices in a view reach its app with the view as their container and the whole form's state. */
  viewContext(view, rootOf = () => this.dialog?.querySelector("form")) {
    const context = blockContext(this.app, {});
    context.onAction = async (action, state) => {
      const form = rootOf();
      try {
        await this.app.api.post("interactions/block-actions", {
          container: { type: "view", view_id: view.id },
          action,
          state: form ? { values: collectState(form) } : state,
        });
      } catch (error) {
        throw new Error(failureText(error));
      }
    };
    return context;
  }

  ensureDialog() {
    if (this.dialog) return;
    this.opener = document.activeElement;
    this.dialog = h("dialog", { class: "modal app-modal", "aria-modal": "true", "aria-labelledby": "app-modal-title" });
    this.dialog.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !event.defaultPrevented) {
        event.preventDefault(); // Escape is the close button, never the browser's own close of the dialog
        this.close();
      } else trapTab(this.dialog, event);
    });
    this.dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      this.close();
    });
    document.body.append(this.dialog);
    this.dialog.showModal();
  }

  header(view) {
    return h(
      "header",
      { class: "modal__header app-modal__header" },
      this.stack.views.length > 1
        ? h(
            "button",
            {
              type: "button",
              class: "header-btn app-modal__back",
              "aria-label": gettext("Back"),
              onclick: () => this.close(),
            },
            "←",
          )
        : null,
      h("h2", { class: "modal__title", id: "app-modal-title" }, textOf(view.title, gettext("App"))),
      h(
        "button",
        {
          type: "button",
          class: "header-btn",
          "aria-label": gettext("Close"),
          onclick: () => this.close({ all: true }),
        },
        icon("close"),
      ),
    );
  }

  show({ keepFocus = false } = {}) {
    const view = this.stack.top;
    if (!view) return this.hide();
    this.ensureDialog();
    const focusedId = keepFocus ? document.activeElement?.dataset?.actionId : null;
    const submit = view.submit
      ? h(
          "button",
          { type: "submit", class: "btn btn--primary app-modal__submit", disabled: Boolean(view.submit_disabled) },
          textOf(view.submit, gettext("Submit")),
        )
      : null;
    const error = h("div", { class: "app-modal__error", role: "alert", id: "app-modal-error" });
    const form = h(
      "form",
      { class: "app-modal__form", novalidate: true, dataset: { viewId: view.id } },
      this.header(view),
      h("div", { class: "modal__body app-modal__body" }, renderBlocks(view.blocks || [], this.viewContext(view))),
      error,
      h(
        "footer",
        { class: "btn-row app-modal__footer" },
        h(
          "button",
          { type: "button", class: "btn", onclick: () => this.close() },
          textOf(view.close, gettext("Cancel")),
        ),
        submit,
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (submit && !submit.disabled) this.submit(view, form, submit, error);
    });
    clear(this.dialog).append(form);
    const again = focusedId ? form.querySelector(`[data-action-id="${CSS.escape(focusedId)}"]`) : null;
    (
      again ||
      form.querySelector(".bk input, .bk textarea, .bk select") ||
      submit ||
      form.querySelector("button")
    )?.focus();
  }

  hide() {
    const dialog = this.dialog;
    this.dialog = null;
    if (dialog) {
      if (dialog.open) dialog.close();
      dialog.remove();
    }
    successorOf(this.opener)?.focus();
    this.opener = null;
  }

  async submit(view, form, button, error) {
    error.textContent = "";
    this.clearErrors(form);
    button.setAttribute("aria-busy", "true");
    button.classList.add("btn--pending");
    button.disabled = true;
    try {
      const answer = await this.app.api.post("interactions/view-submission", {
        view_id: view.id,
        state: { values: collectState(form) },
      });
      this.apply(submissionOutcome(answer), form, error);
    } catch (failure) {
      error.textContent = failureText(failure);
    } finally {
      button.removeAttribute("aria-busy");
      button.classList.remove("btn--pending");
      if (button.isConnected) button.disabled = Boolean(view.submit_disabled);
    }
  }

  apply(outcome, form, error) {
    if (outcome.kind === "errors") this.showErrors(form, error, outcome.errors);
    else if (outcome.kind === "update") {
      this.stack.replace(outcome.view);
      this.show();
    } else if (outcome.kind === "push") {
      if (this.stack.push(outcome.view)) this.show();
    } else if (outcome.kind === "close") {
      this.stack.clear();
      this.hide();
    }
  }

  clearErrors(form) {
    for (const stale of form.querySelectorAll(".bk-field-error")) stale.remove();
    for (const block of form.querySelectorAll(".bk-input-block--invalid"))
      block.classList.remove("bk-input-block--invalid");
    for (const invalid of form.querySelectorAll("[aria-invalid]")) {
      invalid.removeAttribute("aria-invalid");
      const kept = (invalid.getAttribute("aria-describedby") || "")
        .split(" ")
        .filter((id) => id && !id.startsWith("app-modal-error-"));
      if (kept.length) invalid.setAttribute("aria-describedby", kept.join(" "));
      else invalid.removeAttribute("aria-describedby");
    }
  }

  /** Each message beside the input block it names; its control marked invalid and described by it. */
  showErrors(form, error, errors) {
    const blocks = new Map([...form.querySelectorAll(".bk-block")].map((node) => [node.dataset.blockId, node]));
    const { placed, unplaced } = errorPlacements(errors, blocks.keys());
    let first = null;
    for (const { blockId, id, text } of placed) {
      const block = blocks.get(blockId);
      const control = block.querySelector("[data-action-id]");
      block.classList.add("bk-input-block--invalid");
      block.append(h("div", { class: "bk-field-error", id }, text));
      if (!control) continue;
      control.setAttribute("aria-invalid", "true");
      const described = control.getAttribute("aria-describedby");
      control.setAttribute("aria-describedby", described ? `${described} ${id}` : id);
      first ||= control;
    }
    error.textContent = unplaced.join(" ");
    first?.focus();
  }

  /** The close button or Escape: back to the view below, or, with `all` (the X) or from the root, close them all. */
  close({ all = false } = {}) {
    const view = this.stack.top;
    if (!view) return this.hide();
    const clearAll = all || this.stack.views.length === 1 || Boolean(view.clear_on_close);
    this.app.api.post("interactions/view-closed", { view_id: view.id, clear: clearAll }).catch(() => {});
    if (clearAll) {
      this.stack.clear();
      this.hide();
    } else {
      this.stack.pop();
      this.show();
    }
  }
}
