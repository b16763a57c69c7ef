// Moving through messages from the keyboard, as in Slack: with the message list focused (Tab to it, or
// click it), ↑ and ↓ move from message to message, Home and End jump to the first and last loaded,
// Enter opens the focused message's thread, and Escape goes back to the composer.

const ROW = ".msg";

function rowsOf(log) {
  return [...log.querySelectorAll(ROW)];
}

function focusRow(row) {
  if (!row) return;
  row.focus();
  row.scrollIntoView({ block: "nearest" });
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

export function installMessageKeys(app) {
  document.addEventListener("keydown", (event) => {
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
