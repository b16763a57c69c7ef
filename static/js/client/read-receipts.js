// Read receipts: "Seen by …" under the last message of a small DM, where the workspace shows them.
// The server says who has read up to which message (the newest page of history, the read-receipts
// endpoint, then read_receipts_changed); this draws it for the message it names and no other.

import { h } from "./dom.js";
import { gettext, interpolate, ngettext } from "./i18n.js";

/** "Seen by Alice", "Seen by Alice and Bob", "Seen by Alice, Bob and Carol", "Seen by Alice, Bob and 2 others". */
export function seenByText(names) {
  const [first, second, third] = names;
  if (names.length === 1) return interpolate(gettext("Seen by %(first)s"), { first });
  if (names.length === 2) return interpolate(gettext("Seen by %(first)s and %(second)s"), { first, second });
  if (names.length === 3)
    return interpolate(gettext("Seen by %(first)s, %(second)s and %(third)s"), { first, second, third });
  const count = names.length - 2;
  return interpolate(
    ngettext(
      "Seen by %(first)s, %(second)s and %(count)s other",
      "Seen by %(first)s, %(second)s and %(count)s others",
      count,
    ),
    { first, second, count },
  );
}

/** Who of `receipts` to name under `message`: not me, not its author; none when they are about another message. */
export function seenBy(receipts, message, me) {
  if (!receipts || !message || receipts.seq !== message.seq) return [];
  return receipts.seen_by.filter((id) => id !== me && id !== message.user);
}

/** The row under the conversation's last message, or null. */
export function receiptRow(app, channel, message) {
  const { store } = app;
  if (!store.workspace.read_receipts || !(channel?.is_im || channel?.is_mpim)) return null;
  const ids = seenBy(store.receipts.get(channel.id), message, store.me.id);
  if (!ids.length) return null;
  const names = ids.map((id) => store.displayName(id));
  return h("p", { class: "read-receipt", id: "read-receipt", title: names.join(", ") }, seenByText(names));
}
