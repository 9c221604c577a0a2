/**
 * In a browser served by the meter station (`omr serve`) there is no preload: this installs
 * `window.omr` over the station's WebSocket, with the same contract and envelopes. It does nothing
 * when a bridge is already there (Electron's preload, the test bridge).
 *
 * The token comes from the page address (`?token=…`, then removed from the address bar) or from
 * sessionStorage (a reload). Calls made while the socket is down wait for it (up to a limit);
 * a lost connection comes back by itself, with back-off, and event listeners stay registered.
 */
import { isEventChannel, isInvokeChannel, type Envelope, type EventChannel, type OmrBridge } from '../../shared/contract';
import { errorInfo, type ErrorCode } from '../../shared/errors';
import { STATION_TOKEN_PARAM, STATION_WS_PATH, type WsServerMessage } from '../../shared/station';

const CALL_TIMEOUT_MS = 120_000;
const STORAGE_KEY = 'omr.stationToken';

/** The token from the address (moved into sessionStorage) or from sessionStorage. */
export function takeToken(
  loc: Location = window.location,
  storage: Storage | undefined = window.sessionStorage,
  history: History = window.history,
): string | undefined {
  const url = new URL(loc.href);
  const fromUrl = url.searchParams.get(STATION_TOKEN_PARAM);
  if (fromUrl) {
    try {
      storage?.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // Storage may be off: the token then lives only in this page.
    }
    url.searchParams.delete(STATION_TOKEN_PARAM);
    // Out of the address bar, the history and any Referer.
    history.replaceState(history.state, '', url.pathname + (url.search || '') + url.hash);
    return fromUrl;
  }
  try {
    return storage?.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

interface Pending {
  resolve(env: Envelope<unknown>): void;
  timer: ReturnType<typeof setTimeout>;
}

export function createWsBridge(wsUrl: string, token?: string): OmrBridge & { close(): void } {
  const listeners = new Map<EventChannel, Set<(payload: never) => void>>();
  const pending = new Map<number, Pending>();
  /** Calls not sent yet (the socket is connecting): they wait for it. */
  const outbox: { id: number; text: string }[] = [];
  let socket: WebSocket | undefined;
  let nextId = 1;
  let retryMs = 500;
  let closed = false;
  let everOpened = false;

  const fail = (code: ErrorCode, detail?: string): Envelope<never> => ({ ok: false, error: errorInfo(code, detail) });

  function connect(): void {
    if (closed) return;
    const ws = new WebSocket(wsUrl);
    socket = ws;
    ws.onopen = () => {
      everOpened = true;
      retryMs = 500;
      for (const m of outbox.splice(0)) ws.send(m.text);
    };
    ws.onmessage = (e: MessageEvent) => {
      let msg: WsServerMessage;
      try {
        msg = JSON.parse(String(e.data)) as WsServerMessage;
      } catch {
        return;
      }
      if (msg.t === 'result') {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        clearTimeout(p.timer);
        p.resolve(msg.envelope);
      } else if (msg.t === 'event' && isEventChannel(msg.channel)) {
        for (const l of listeners.get(msg.channel) ?? []) {
          try {
            l(msg.payload as never);
          } catch (err) {
            console.error(err);
          }
        }
      }
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      // Calls in flight got no answer: say so (they may or may not have run on the station).
      const waiting = new Set(outbox.map((m) => m.id));
      for (const [id, p] of pending) {
        if (waiting.has(id)) continue;
        pending.delete(id);
        clearTimeout(p.timer);
        p.resolve(fail('UNAVAILABLE', 'the connection to the station was lost'));
      }
      if (!everOpened && outbox.length) void explainRefusal();
      if (!closed) {
        setTimeout(connect, retryMs);
        retryMs = Math.min(retryMs * 2, 10_000);
      }
    };
  }

  /** The socket never opened: a wrong token (the API says 401) fails the waiting calls with UNAUTHORIZED. */
  async function explainRefusal(): Promise<void> {
    let status = 0;
    try {
      status = (await fetch(new URL('/api/status', window.location.href), { headers: token ? { authorization: `Bearer ${token}` } : {} })).status;
    } catch {
      return;
    }
    if (status !== 401) return;
    for (const m of outbox.splice(0)) {
      const p = pending.get(m.id);
      if (!p) continue;
      pending.delete(m.id);
      clearTimeout(p.timer);
      p.resolve(fail('UNAUTHORIZED'));
    }
  }

  connect();

  return {
    invoke(channel, request) {
      if (!isInvokeChannel(channel)) return Promise.resolve(fail('UNKNOWN_CHANNEL', String(channel)));
      const id = nextId++;
      const text = JSON.stringify({ t: 'invoke', id, channel, ...(request === undefined ? {} : { request }) });
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve(fail('UNAVAILABLE', 'the station did not answer'));
        }, CALL_TIMEOUT_MS);
        pending.set(id, { resolve: resolve as Pending['resolve'], timer });
        if (socket?.readyState === WebSocket.OPEN) socket.send(text);
        else outbox.push({ id, text });
      });
    },
    on(channel, listener) {
      if (!isEventChannel(channel)) throw new Error(`unknown event channel ${String(channel)}`);
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => {
        set.delete(listener as (payload: never) => void);
      };
    },
    close() {
      closed = true;
      socket?.close();
    },
  };
}

/** Install `window.omr` over the station's WebSocket when no other bridge is there. */
export function installWsBridge(): void {
  if (window.omr) return;
  if (window.location.protocol !== 'http:' && window.location.protocol !== 'https:') return;
  const token = takeToken();
  const url = new URL(STATION_WS_PATH, window.location.href);
  url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  if (token) url.searchParams.set(STATION_TOKEN_PARAM, token);
  window.omr = createWsBridge(url.href, token);
}
