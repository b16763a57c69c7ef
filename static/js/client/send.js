// Sending one of our own messages: on the socket when it is open, else over HTTP, and again after a
// failure that may pass (send-retry.js), always under the message's own client_msg_id.

import { sendWithRetry } from "./send-retry.js";

/** One attempt: the server's copy of the message, as a `message` event would carry it. */
async function sendOnce(app, { channel, text, thread_ts, reply_broadcast, client_msg_id }) {
  if (app.socket.isOpen && !reply_broadcast) {
    const frame = { type: "message", channel, text, client_msg_id };
    if (thread_ts) frame.thread_ts = thread_ts;
    const answer = await app.socket.request(frame);
    const message = { type: "message", channel, user: app.store.me.id, text: answer.text, ts: answer.ts };
    Object.assign(message, { seq: answer.seq, client_msg_id });
    if (thread_ts) message.thread_ts = thread_ts;
    return message;
  }
  const body = { text, client_msg_id, reply_broadcast };
  if (thread_ts) body.thread_ts = thread_ts;
  return (await app.api.post(`channels/${channel}/messages`, body)).message;
}

/**
 * Send `pending` until the server has it, keeping it pending meanwhile; null when it was confirmed (by the
 * socket's event) or discarded before a retry. Throws the last error when it fails for good, after
 * GIVE_UP_MS, or at once when the browser is offline (the message then waits for the connection).
 */
export function sendPending(app, pending, options = {}) {
  const stillPending = () => app.store.log(pending.channel).pending.get(pending.client_msg_id)?.pending;
  const attemptOnce = (attempt) => (attempt && !stillPending() ? null : sendOnce(app, pending));
  return sendWithRetry(attemptOnce, { online: () => globalThis.navigator?.onLine !== false, ...options });
}
