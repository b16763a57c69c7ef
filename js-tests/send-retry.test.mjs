import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sendPending } from "../static/js/client/send.js";
import { GIVE_UP_MS, isRetryable, retryDelay, sendWithRetry } from "../static/js/client/send-retry.js";

/** A clock that only moves when the code under test sleeps. */
function fakeTime() {
  const clock = { t: 1000, waits: [] };
  clock.now = () => clock.t;
  clock.sleep = async (ms) => {
    clock.waits.push(ms);
    clock.t += ms;
  };
  return clock;
}

const unavailable = (retry_after = 2) =>
  Object.assign(new Error("briefly unavailable"), { code: "service_unavailable", retry_after });
const disconnected = () => Object.assign(new Error("disconnected"), { code: "disconnected" });

describe("which failures are retried", () => {
  test("an outage, a dropped socket, a timeout, an unreachable server and a proxy's 502-504 are retried", () => {
    for (const code of ["service_unavailable", "disconnected", "timeout", "network_error"]) {
      assert.equal(isRetryable({ code }), true, code);
    }
    for (const status of [502, 503, 504]) assert.equal(isRetryable({ code: "http_error", status }), true);
  });

  test("the request's own errors are not retried", () => {
    for (const code of ["msg_too_long", "not_in_channel", "channel_not_found", "ratelimited", "invalid_arguments"]) {
      assert.equal(isRetryable({ code, status: 400 }), false, code);
    }
  });
});

describe("the delay before the next attempt", () => {
  test("never sooner than the server's retry_after", () => {
    const wait = retryDelay({ attempt: 0, startedAt: 0, now: 0, retryAfter: 2, random: () => 0 });
    assert.equal(wait, 2000);
  });

  test("backs off exponentially with jitter, up to a ceiling", () => {
    const waits = [0, 1, 2, 3, 4, 5, 8].map((attempt) =>
      retryDelay({ attempt, startedAt: 0, now: 0, random: () => 1 }),
    );
    assert.deepEqual(waits, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
    assert.equal(retryDelay({ attempt: 3, startedAt: 0, now: 0, random: () => 0 }), 2000); // half, at least
  });

  test("stops at the bound: the last wait ends on it, after it there is none", () => {
    assert.equal(retryDelay({ attempt: 9, startedAt: 0, now: GIVE_UP_MS - 300, retryAfter: 2 }), 300);
    assert.equal(retryDelay({ attempt: 9, startedAt: 0, now: GIVE_UP_MS }), null);
  });
});

describe("sending with retries", () => {
  test("an outage is waited out and the same send succeeds once the database is back", async () => {
    const clock = fakeTime();
    const attempts = [];
    const result = await sendWithRetry(
      async (attempt) => {
        attempts.push(attempt);
        if (attempt < 2) throw unavailable(2);
        return "stored";
      },
      { now: clock.now, sleep: clock.sleep, random: () => 0 },
    );
    assert.equal(result, "stored");
    assert.deepEqual(attempts, [0, 1, 2]);
    assert.deepEqual(clock.waits, [2000, 2000]);
  });

  test("a request's own error fails at once, without waiting", async () => {
    const clock = fakeTime();
    const error = Object.assign(new Error("too long"), { code: "msg_too_long" });
    await assert.rejects(
      sendWithRetry(async () => Promise.reject(error), clock),
      error,
    );
    assert.deepEqual(clock.waits, []);
  });

  test("an outage that lasts gives up after the bound with the last error", async () => {
    const clock = fakeTime();
    let attempts = 0;
    const failing = async () => {
      attempts += 1;
      throw unavailable(2);
    };
    await assert.rejects(sendWithRetry(failing, clock), { code: "service_unavailable" });
    const waited = clock.waits.reduce((a, b) => a + b, 0);
    assert.equal(waited, GIVE_UP_MS);
    assert.ok(attempts > 5);
  });
});

/** An app with a socket and an API that fail as told, recording every message sent. */
function fakeApp(socketFailures, apiFailures = []) {
  const sent = [];
  const pending = new Map();
  const app = {
    store: { me: { id: "U1" }, log: () => ({ pending }) },
    socket: {
      isOpen: true,
      async request(frame) {
        sent.push({ via: "socket", ...frame });
        const failure = socketFailures.shift();
        if (failure) {
          if (failure.code === "disconnected") app.socket.isOpen = false;
          throw failure;
        }
        return { ok: true, ts: "1.000100", seq: 7, text: frame.text };
      },
    },
    api: {
      async post(path, body) {
        sent.push({ via: "http", path, ...body });
        const failure = apiFailures.shift();
        if (failure) throw failure;
        return {
          message: { channel: "C1", ts: "1.000100", seq: 7, text: body.text, client_msg_id: body.client_msg_id },
        };
      },
    },
  };
  return { app, sent, pending };
}

function pendingMessage(pending) {
  const message = { channel: "C1", text: "hi", client_msg_id: "cm-1", reply_broadcast: false, pending: true };
  pending.set("cm-1", message);
  return message;
}

describe("sending a pending message", () => {
  test("every attempt carries the same client_msg_id, on the socket and then over HTTP once it dropped", async () => {
    const clock = fakeTime();
    const { app, sent, pending } = fakeApp([unavailable(1), disconnected()], [unavailable(1)]);
    const message = await sendPending(app, pendingMessage(pending), clock);
    assert.equal(message.ts, "1.000100");
    assert.deepEqual(
      sent.map((s) => [s.via, s.client_msg_id]),
      [
        ["socket", "cm-1"],
        ["socket", "cm-1"],
        ["http", "cm-1"],
        ["http", "cm-1"],
      ],
    );
    assert.equal(pending.get("cm-1").pending, true); // still pending until the caller receives the copy
  });

  test("a message the socket's event confirmed while waiting is not sent again", async () => {
    const clock = fakeTime();
    const { app, sent, pending } = fakeApp([unavailable(1)]);
    const message = pendingMessage(pending);
    const sleep = async (ms) => {
      pending.delete("cm-1"); // the server's copy arrived meanwhile
      await clock.sleep(ms);
    };
    assert.equal(await sendPending(app, message, { now: clock.now, sleep }), null);
    assert.equal(sent.length, 1);
  });
});

describe("offline", () => {
  test("a send while the browser is offline fails at once, to wait for the connection", async () => {
    const clock = fakeTime();
    let attempts = 0;
    const failing = async () => {
      attempts += 1;
      throw Object.assign(new Error("unreachable"), { code: "network_error" });
    };
    await assert.rejects(sendWithRetry(failing, { ...clock, online: () => false }), { code: "network_error" });
    assert.equal(attempts, 1);
    assert.deepEqual(clock.waits, []);
  });
});
