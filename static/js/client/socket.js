// The WebSocket (docs/protocol.md): one per page, reconnecting with exponential backoff and jitter,
// resuming from the last seq seen per channel, with a heartbeat so a dead link is noticed.
//
// Events: "state" (detail: connecting | online | reconnecting | offline | signed_out),
// "event" (detail: a server event), "resumed" (detail: the resume answer).

const HEARTBEAT_MS = 20000;
const PONG_TIMEOUT_MS = 8000;
const VIEW_TIMEOUT_MS = 3000; // opening a channel waits no longer than this for the server to know it is shown
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 30000;

export class Socket extends EventTarget {
  /** `lastSeqs()` gives {channel id: last seq applied}, read at each (re)connect for the resume. */
  constructor(path, lastSeqs) {
    super();
    this.path = path;
    this.lastSeqs = lastSeqs;
    this.ws = null;
    this.state = "connecting";
    this.attempt = 0;
    this.nextId = 1;
    this.waiting = new Map(); // id → {resolve, reject, timer}
    this.timers = {};
    addEventListener("online", () => this.reconnectNow());
    addEventListener("offline", () => this.drop("offline"));
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: state }));
  }

  connect() {
    clearTimeout(this.timers.retry);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${scheme}//${location.host}${this.path}?resume=1`);
    this.ws = ws;
    this.greeted = false; // until this socket's hello
    this.setState(this.attempt ? "reconnecting" : "connecting");
    ws.onmessage = (message) => this.onFrame(ws, message.data);
    ws.onclose = (close) => this.onClose(ws, close.code);
  }

  onFrame(ws, data) {
    if (ws !== this.ws) return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (frame.type === "hello") return this.onHello();
    if (frame.reply_to !== undefined && this.waiting.has(frame.reply_to)) {
      const { resolve, reject, timer } = this.waiting.get(frame.reply_to);
      clearTimeout(timer);
      this.waiting.delete(frame.reply_to);
      if (frame.ok === false) reject(Object.assign(new Error(frame.error?.msg || "error"), frame.error || {}));
      else resolve(frame);
      if (frame.type !== "pong") return;
    }
    if (frame.type === "pong" || frame.ok !== undefined) return;
    if (frame.type === "goodbye") return;
    this.dispatchEvent(new CustomEvent("event", { detail: frame }));
  }

  /**
   * Tell the server which channel the page shows (null: none). A large channel's reactions then come
   * live only while it is shown (docs/protocol.md, `view`); told again after every reconnect. Resolves
   * once the server knows, or at once while the socket is down (the next hello tells it).
   */
  async setView(channelId) {
    this.viewing = channelId;
    if (!this.greeted) return;
    try {
      await this.request({ type: "view", channel: channelId }, VIEW_TIMEOUT_MS);
    } catch {
      /* not a channel of ours (a preview), a slow answer, or the socket dropped: the next hello tells it */
    }
  }

  /**
   * Follow the presence of these people only (docs/protocol.md, `presence_sub`): a page shows a few of its
   * workspace's people, and every other change would be a frame it does not need. Told again after every
   * reconnect; each answer, their presence now, comes as a "presence" event ({user id: presence}).
   */
  followPresence(ids) {
    this.presenceIds = ids;
    if (this.greeted) this.askPresence();
  }

  askPresence() {
    this.request({ type: "presence_sub", ids: this.presenceIds }, VIEW_TIMEOUT_MS)
      .then((answer) => this.dispatchEvent(new CustomEvent("presence", { detail: answer.presence || {} })))
      .catch(() => {}); // the socket dropped, or answered late: the next hello asks again
  }

  async onHello() {
    this.greeted = true; // frames may go now, before the resume is answered
    if (this.viewing !== undefined) {
      this.request({ type: "view", channel: this.viewing }, VIEW_TIMEOUT_MS).catch(() => {});
    }
    if (this.presenceIds !== undefined) this.askPresence();
    this.heartbeat();
    try {
      const answer = await this.request({ type: "resume", channels: this.lastSeqs() }, 15000);
      this.attempt = 0;
      this.setState("online");
      this.dispatchEvent(new CustomEvent("resumed", { detail: answer }));
    } catch {
      this.drop("reconnecting");
    }
  }

  onClose(ws, code) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.greeted = false;
    clearInterval(this.timers.heartbeat);
    for (const { reject, timer } of this.waiting.values()) {
      clearTimeout(timer);
      reject(Object.assign(new Error("disconnected"), { code: "disconnected" }));
    }
    this.waiting.clear();
    if (code === 4401) return this.setState("signed_out");
    if (!navigator.onLine) return this.setState("offline");
    this.scheduleReconnect(code === 4012 || code === 4013 ? 0 : null);
  }

  scheduleReconnect(delay = null) {
    this.attempt += 1;
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(this.attempt, 10));
    const wait = delay ?? Math.round(ceiling / 2 + (Math.random() * ceiling) / 2); // "equal jitter"
    this.setState("reconnecting");
    this.retryAt = Date.now() + wait;
    this.timers.retry = setTimeout(() => this.connect(), wait);
  }

  /** Close the current socket (the network went away, or a heartbeat was missed); onClose reconnects. */
  drop(state) {
    const ws = this.ws;
    if (!ws) return state === "offline" ? this.setState("offline") : undefined;
    this.onClose(ws, 1006);
    if (state === "offline") {
      clearTimeout(this.timers.retry);
      this.setState("offline");
    }
    try {
      ws.close();
    } catch {
      /* already closing */
    }
  }

  reconnectNow() {
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.attempt = Math.max(this.attempt, 1);
    this.connect();
  }

  heartbeat() {
    clearInterval(this.timers.heartbeat);
    this.timers.heartbeat = setInterval(() => {
      this.request({ type: "ping", time: Date.now() }, PONG_TIMEOUT_MS).catch(() => this.drop("reconnecting"));
    }, HEARTBEAT_MS);
  }

  get isOpen() {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN && this.state === "online";
  }

  /** Send a frame with an id and wait for the answer that echoes it (rejects on an error or timeout). */
  request(frame, timeout = 10000) {
    return new Promise((resolve, reject) => {
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) {
        reject(Object.assign(new Error("not connected"), { code: "disconnected" }));
        return;
      }
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(Object.assign(new Error("timed out"), { code: "timeout" }));
      }, timeout);
      this.waiting.set(id, { resolve, reject, timer });
      this.ws.send(JSON.stringify({ ...frame, id }));
    });
  }

  /** Fire and forget (typing): dropped silently when the socket is not open. */
  send(frame) {
    if (this.isOpen) this.ws.send(JSON.stringify(frame));
  }
}
