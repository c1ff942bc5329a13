// One WebSocket to the gateway's /v1/stream for the whole page, carrying any number of
// subscriptions. When the socket drops (network, gateway restart, resync), it reconnects with
// backoff and subscribes every subscription again from the last cursor it received, which the
// gateway continues with exactly the next frame: no gap, no duplicate. Consumers still drop
// repeated (sessionId, seq) pairs themselves (see model.js), as a belt-and-braces.
import { token } from './auth.js';

const PING_EVERY_MS = 20_000;
// The gateway sends a heartbeat every 15 s; silence for this long means the socket is dead even if
// the browser has not noticed yet (a laptop waking up, a proxy that dropped the connection).
const SILENCE_LIMIT_MS = 45_000;
const MAX_BACKOFF_MS = 10_000;

export class FeedConnection extends EventTarget {
  #socket = null;
  #subs = new Map();
  #attempt = 0;
  #retryTimer = null;
  #watchdog = null;
  #lastMessageAt = 0;
  #lastPingAt = 0;
  #closed = false;
  #counter = 0;
  state = 'idle';
  reconnects = 0;

  constructor() {
    super();
    window.addEventListener('online', () => this.#reconnectNow());
  }

  /**
   * Follows a session (`{sessionId}`) or the whole org (`{orgWide: true}`) from `from`
   * ("beginning", "live" or a cursor). `handlers.onEvents(events)` gets every delivered envelope,
   * `handlers.onError(frame)` the errors of this subscription. Returns a handle with `close()`.
   */
  subscribe(target, from, handlers, types) {
    const id = `s${++this.#counter}`;
    const sub = { id, target, from, types, cursor: null, handlers, resyncs: 0 };
    this.#subs.set(id, sub);
    if (this.#isOpen()) {
      this.#sendSubscribe(sub);
    } else {
      this.#connect();
    }
    return {
      id,
      cursor: () => sub.cursor,
      close: () => {
        this.#subs.delete(id);
        if (this.#isOpen()) {
          this.#send({ op: 'unsubscribe', id });
        }
      },
    };
  }

  /** Closes the socket and forgets every subscription (leaving a page). */
  closeAll() {
    for (const id of [...this.#subs.keys()]) {
      this.#subs.delete(id);
      if (this.#isOpen()) {
        this.#send({ op: 'unsubscribe', id });
      }
    }
  }

  /** Drops the socket as a network failure would (used by tests and the "reconnect" button). */
  drop() {
    if (this.#socket) {
      this.#socket.close(4000, 'client reconnect');
    }
  }

  #isOpen() {
    return this.#socket && this.#socket.readyState === WebSocket.OPEN;
  }

  #setState(state, detail) {
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: { state, ...detail } }));
  }

  #url() {
    const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
    const t = token();
    // Without a token the page relies on whatever authorized it (an auth proxy's header).
    const query = t ? `?access_token=${encodeURIComponent(t)}` : '';
    return `${scheme}//${window.location.host}/v1/stream${query}`;
  }

  #connect() {
    if (this.#closed || this.#socket || this.#retryTimer) {
      return;
    }
    this.#setState(this.#attempt === 0 ? 'connecting' : 'reconnecting', { attempt: this.#attempt });
    const socket = new WebSocket(this.#url());
    this.#socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.#attempt = 0;
      this.#lastMessageAt = performance.now();
      this.#setState('live');
      for (const sub of this.#subs.values()) {
        this.#sendSubscribe(sub);
      }
      this.#startWatchdog();
    };
    socket.onmessage = (message) => {
      this.#lastMessageAt = performance.now();
      this.#onFrame(JSON.parse(message.data));
    };
    socket.onclose = (close) => {
      if (this.#socket !== socket) {
        return;
      }
      this.#socket = null;
      this.#stopWatchdog();
      if (!opened) {
        // The handshake failed: tell a refused token (401/403) from a gateway that is down.
        this.#checkToken();
      }
      this.#scheduleReconnect(close.code);
    };
  }

  async #checkToken() {
    try {
      const t = token();
      const response = await fetch('/v1/sessions?status=active', {
        headers: t ? { Authorization: `Bearer ${t}` } : {},
      });
      if (response.status === 401 || response.status === 403) {
        this.dispatchEvent(new CustomEvent('unauthorized', { detail: { status: response.status } }));
      }
    } catch {
      // gateway unreachable: keep retrying
    }
  }

  #scheduleReconnect(code) {
    if (this.#closed || this.#subs.size === 0) {
      this.#setState('idle');
      return;
    }
    this.reconnects++;
    const backoff = Math.min(MAX_BACKOFF_MS, 250 * 2 ** this.#attempt);
    const delay = backoff / 2 + Math.random() * (backoff / 2);
    this.#attempt++;
    this.#setState('reconnecting', { attempt: this.#attempt, inMs: Math.round(delay), code });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#connect();
    }, delay);
  }

  #reconnectNow() {
    if (this.#retryTimer) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
      this.#connect();
    }
  }

  #startWatchdog() {
    this.#stopWatchdog();
    this.#watchdog = setInterval(() => {
      const now = performance.now();
      if (now - this.#lastMessageAt > SILENCE_LIMIT_MS) {
        this.#socket?.close(4001, 'silent');
        return;
      }
      if (now - this.#lastPingAt > PING_EVERY_MS) {
        this.#lastPingAt = now;
        this.#send({ op: 'ping', id: 'keepalive' });
      }
    }, 5_000);
  }

  #stopWatchdog() {
    clearInterval(this.#watchdog);
    this.#watchdog = null;
  }

  #send(frame) {
    this.#socket.send(JSON.stringify(frame));
  }

  #sendSubscribe(sub) {
    const frame = { op: 'subscribe', id: sub.id, from: sub.cursor || sub.from };
    if (sub.target.orgWide) {
      frame.orgWide = true;
    } else {
      frame.sessionId = sub.target.sessionId;
    }
    if (sub.types && sub.types.length) {
      frame.types = sub.types;
    }
    this.#send(frame);
  }

  #onFrame(frame) {
    const sub = this.#subs.get(frame.sub || frame.id);
    switch (frame.op) {
      case 'event':
        if (sub) {
          sub.cursor = frame.cursor;
          sub.handlers.onEvents([frame.event]);
        }
        break;
      case 'batch':
        if (sub) {
          sub.cursor = frame.cursor;
          sub.handlers.onEvents(frame.events);
        }
        break;
      case 'subscribed':
        if (sub) {
          sub.resyncs = 0;
          sub.handlers.onSubscribed?.(frame);
        }
        break;
      case 'error':
        this.#onError(sub, frame);
        break;
      default:
        // heartbeat, pong, unsubscribed: the socket is alive, nothing else to do
        break;
    }
  }

  #onError(sub, frame) {
    if (frame.code === 'resync_required') {
      if (frame.cursor && sub) {
        sub.cursor = frame.cursor;
      }
      // A slow connection is closed by the gateway right after this frame and resumes on
      // reconnect; a subscription whose cursor left retention ends alone and is started again.
      if (sub && this.#isOpen() && sub.resyncs < 3) {
        sub.resyncs++;
        if (!frame.cursor) {
          sub.cursor = null;
          sub.from = 'beginning';
          sub.handlers.onResync?.(frame);
        }
        setTimeout(() => this.#isOpen() && this.#subs.has(sub.id) && this.#sendSubscribe(sub), 250);
      }
      return;
    }
    if (frame.code === 'unavailable' && sub) {
      // A gateway that just started has not read feed.live yet: subscribe again a little later.
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(sub.resyncs, 5));
      sub.resyncs++;
      sub.handlers.onError?.(frame);
      setTimeout(() => this.#isOpen() && this.#subs.has(sub.id) && this.#sendSubscribe(sub), delay);
      return;
    }
    if (frame.code === 'token_expired') {
      // The gateway ended the subscriptions: ask for a new token, then they start again.
      this.dispatchEvent(new CustomEvent('unauthorized', { detail: { status: 401 } }));
      return;
    }
    if (sub) {
      sub.handlers.onError?.(frame);
    } else {
      this.dispatchEvent(new CustomEvent('protocol-error', { detail: frame }));
    }
  }
}
