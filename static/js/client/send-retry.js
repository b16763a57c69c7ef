// Sending a message again after a failure that may pass: the database briefly unavailable (a failover:
// `service_unavailable`, with the server's retry_after), the socket dropped before its answer, a request
// that timed out or never reached the server. Every attempt carries the same client_msg_id, so the server
// stores the message once whichever attempt reached it (docs/protocol.md, Retrying a message). Pure, with
// the clock, the wait and the jitter injected, so the tests run it without time passing.

export const GIVE_UP_MS = 60000; // then the message shows as failed, with its retry button
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 8000;
const RETRYABLE_CODES = new Set(["service_unavailable", "disconnected", "timeout", "network_error"]);
const RETRYABLE_STATUS = new Set([502, 503, 504]); // a proxy's answer while the servers behind it restart

/** Whether `error` (a socket error answer or an ApiError) may pass if the same send is tried again. */
export function isRetryable(error) {
  return RETRYABLE_CODES.has(error?.code) || RETRYABLE_STATUS.has(error?.status);
}

/**
 * Milliseconds to wait before attempt `attempt + 1`, or null to give up: exponential backoff with equal
 * jitter, never sooner than the server's `retryAfter` (seconds), and never past GIVE_UP_MS from `startedAt`.
 */
export function retryDelay({ attempt, startedAt, now, retryAfter = 0, random = Math.random }) {
  const left = GIVE_UP_MS - (now - startedAt);
  if (left <= 0) return null;
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 10));
  const backoff = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  const wait = Math.max(backoff, (Number(retryAfter) || 0) * 1000);
  return Math.min(wait, left);
}

/**
 * `attemptOnce(attempt)` until it succeeds, fails for good, or GIVE_UP_MS pass; the last error is thrown.
 * `online()` false (the browser knows it has no network) throws at once: the caller waits for the connection
 * instead. `onRetry(error, wait)` hears each retry (the message stays pending meanwhile).
 */
export async function sendWithRetry(attemptOnce, options = {}) {
  const { now = Date.now, sleep = defaultSleep, random = Math.random, onRetry = () => {} } = options;
  const { online = () => true } = options;
  const startedAt = now();
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await attemptOnce(attempt);
    } catch (error) {
      if (!isRetryable(error) || !online()) throw error;
      const wait = retryDelay({ attempt, startedAt, now: now(), retryAfter: error.retry_after, random });
      if (wait === null) throw error;
      onRetry(error, wait);
      await sleep(wait);
    }
  }
}

function defaultSleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
