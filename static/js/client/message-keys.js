// Moving through messages from the keyboard, as in Slack: with the message list focused (Tab to it, or
// click it), ↑ and ↓ move from message to message, Home and End jump to the first and last loaded,
// Enter opens the focused message's thread, and Escape goes back to the composer. Anywhere in the client,
// Alt+↑ and Alt+↓ open the conversation above or below the current one in the sidebar.

const ROW = ".msg";

function rowsOf(log) {
  return [...log.querySelectorAll(ROW)];
}

function focusRow(row) {
  if (!row) return;
  row.focus();
  row.scrollIntoView({ block: "nearest" });
}

const FOCUSABLE = "a[href], button, input, select, textarea, [tabindex]";

/**
 * Rebuild a message list without losing the keyboard's place. The lists are drawn afresh on every
 * change, so a reply or a reaction arriving would otherwise drop whoever is on a message back to the
 * page; instead the focus goes to the same control (by name, else by position) of the same message.
 */
export function replaceRows(list, rows) {
  const focused = document.activeElement;
  const row = focused && list.contains(focused) ? focused.closest(ROW) : null;
  const controls = (of) => [...of.querySelectorAll(FOCUSABLE)];
  const place = row && {
    ts: row.dataset.ts,
    label: focused === row ? null : focused.getAttribute("aria-label"),
    index: focused === row ? -1 : controls(row).indexOf(focused),
  };
  list.replaceChildren(...rows);
  if (focused !== document.activeElement && focused?.isConnected) {
    focused.focus({ preventScroll: true }); // a control moved into the new rows (the inline editor)
    return;
  }
  if (!place || focused.isConnected) return;
  const next = list.querySelector(`${ROW}[data-ts="${CSS.escape(place.ts)}"]`);
  if (!next) return;
  next.focus({ preventScroll: true }); // first the row: its toolbar shows only while focus is within it
  const named = place.label && next.querySelector(`[aria-label="${CSS.escape(place.label)}"]`);
  (named || controls(next)[place.index])?.focus({ preventScroll: true });
}

function composerFor(app, log) {
  return log.closest("#thread-pane") ? app.thread.composer : app.composer;
}

function onRowKey(app, event, row) {
  const log = row.closest("[role=log]");
  const rows = rowsOf(log);
  const index = rows.indexOf(row);
  const target = { ArrowUp: rows[index - 1], ArrowDown: rows[index + 1], Home: rows[0], End: rows[rows.length - 1] }[
    event.key
  ];
  if (target !== undefined) {
    event.preventDefault();
    focusRow(target);
  } else if (event.key === "Escape") {
    event.preventDefault();
    composerFor(app, log).focus();
  } else if (event.key === "Enter" && !log.closest("#thread-pane")) {
    const message = app.store.log(app.channelView.channelId).byTs.get(row.dataset.ts);
    if (message && !message.pending) {
      event.preventDefault();
      app.actions.openThread(message);
    }
  }
}

/** The sidebar's conversation `step` places from the open one, in the order the sidebar shows them. */
function stepConversation(app, step) {
  const items = [...document.querySelectorAll("#sidebar a.side-item[data-channel]")];
  const index = items.findIndex((item) => item.dataset.channel === app.channelView.channelId);
  const next = items[index === -1 ? 0 : index + step];
  if (next) app.openChannel(next.dataset.channel);
}

export function installMessageKeys(app) {
  document.addEventListener("keydown", (event) => {
    const arrow = event.key === "ArrowUp" || event.key === "ArrowDown";
    if (arrow && event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.defaultPrevented) {
      event.preventDefault();
      stepConversation(app, event.key === "ArrowUp" ? -1 : 1);
      return;
    }
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    const row = event.target.matches?.(ROW) ? event.target : null;
    if (row) {
      onRowKey(app, event, row);
      return;
    }
    // The list itself has focus (Tab reaches it): the arrows pick up at the newest or oldest message.
    if (event.target.id === "messages" && (event.key === "ArrowUp" || event.key === "ArrowDown")) {
      const rows = rowsOf(app.channelView.list);
      if (!rows.length) return;
      event.preventDefault();
      focusRow(event.key === "ArrowUp" ? rows[rows.length - 1] : rows[0]);
    }
  });
}
