/**
 * The contract over a WebSocket: the second transport of the same dispatcher (the first is
 * Electron IPC). Each message names a contract channel; the dispatcher validates the request with
 * the contract's schema and answers with the contract's envelope. Events of the bus go to every
 * client. Nothing here knows a channel except two lifecycle facts: an alignment a page started
 * is stopped when that page goes away (it would hold the port for ever), and an export answers
 * with a download link for the browser.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { errorInfo } from '../../../shared/errors';
import type { Envelope } from '../../../shared/contract';
import type { ExportResult } from '../../../shared/session';
import { STATION_MAX_MESSAGE, WsInvokeSchema, type WsServerMessage } from '../../../shared/station';
import type { Lang } from '../../../shared/errors';
import type { EventBus } from '../../runtime/events';
import type { Operations } from '../../runtime/operations';
import type { Dispatcher } from '../../runtime/rpc';
import type { SessionStore } from '../sessions/journal';

/** Above this many buffered bytes a slow client stops receiving trace lines; far above, it is dropped. */
const SLOW_CLIENT_BYTES = 4 * 1024 * 1024;
const DEAD_CLIENT_BYTES = 64 * 1024 * 1024;

/** What the station needs of the app: the contract's dispatcher, its events, the sessions. */
export interface StationServices {
  dispatcher: Dispatcher;
  events: EventBus;
  operations: Operations;
  sessions: SessionStore;
  lang(): Lang;
}

export interface WsTransportDeps {
  services: Pick<StationServices, 'dispatcher' | 'events' | 'operations' | 'lang'>;
  version: string;
  /** Give an export a download link (the station's HTTP side serves it). */
  downloadLink?: (result: ExportResult) => string | undefined;
  log?: (line: string) => void;
}

interface Client {
  id: string;
  controller: AbortController;
  /** Alignments this client started (stopped when it goes away). */
  alignments: Set<string>;
}

export class WsTransport {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: STATION_MAX_MESSAGE, perMessageDeflate: false, clientTracking: false });
  private readonly clients = new Map<WebSocket, Client>();
  private readonly unsubscribe: () => void;
  private next = 1;

  constructor(private readonly deps: WsTransportDeps) {
    this.unsubscribe = deps.services.events.subscribe((channel, payload) => {
      if (!this.clients.size) return;
      const text = JSON.stringify({ t: 'event', channel, payload } satisfies WsServerMessage);
      for (const ws of this.clients.keys()) {
        if (ws.readyState !== ws.OPEN) continue;
        if (ws.bufferedAmount > DEAD_CLIENT_BYTES) {
          ws.terminate();
          continue;
        }
        if (channel === 'trace' && ws.bufferedAmount > SLOW_CLIENT_BYTES) continue;
        ws.send(text);
      }
    });
  }

  get size(): number {
    return this.clients.size;
  }

  /** Take over an HTTP upgrade that the server already checked (path, Host, Origin, token). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    const client: Client = { id: `ws:${this.next++}`, controller: new AbortController(), alignments: new Set() };
    this.clients.set(ws, client);
    ws.on('message', (data, isBinary) => void this.onMessage(ws, client, data, isBinary));
    ws.on('close', () => this.drop(ws, client));
    ws.on('error', () => this.drop(ws, client));
    this.send(ws, { t: 'hello', version: this.deps.version });
  }

  private drop(ws: WebSocket, client: Client): void {
    if (!this.clients.delete(ws)) return;
    client.controller.abort();
    for (const operationId of client.alignments) {
      if (this.deps.services.operations.get(operationId)) void this.deps.services.dispatcher.dispatch('align:stop', { operationId }, { client: client.id });
    }
  }

  private send(ws: WebSocket, message: WsServerMessage): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }

  private async onMessage(ws: WebSocket, client: Client, data: RawData, isBinary: boolean): Promise<void> {
    let parsed: unknown;
    try {
      if (isBinary) throw new Error('binary');
      parsed = JSON.parse(data.toString());
    } catch {
      ws.close(1003, 'JSON text messages only');
      return;
    }
    const msg = WsInvokeSchema.safeParse(parsed);
    if (!msg.success) {
      const id = (parsed as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && Number.isSafeInteger(id)) {
        this.send(ws, { t: 'result', id, envelope: { ok: false, error: errorInfo('INVALID_REQUEST', 'not an invoke message', this.deps.services.lang()) } });
      } else ws.close(1008, 'not an invoke message');
      return;
    }
    const { id, channel, request } = msg.data;
    let envelope: Envelope<unknown> = await this.deps.services.dispatcher.dispatch(channel, request, { client: client.id, signal: client.controller.signal });
    if (envelope.ok && channel === 'align:start') {
      const operationId = (envelope.value as { operationId: string }).operationId;
      client.alignments.add(operationId);
      if (!this.clients.has(ws)) void this.deps.services.dispatcher.dispatch('align:stop', { operationId }, { client: client.id });
    }
    if (envelope.ok && channel === 'sessions:export' && this.deps.downloadLink) {
      const result = envelope.value as ExportResult;
      const link = this.deps.downloadLink(result);
      if (link) envelope = { ok: true, value: { ...result, download: link } };
    }
    this.send(ws, { t: 'result', id, envelope });
  }

  async close(): Promise<void> {
    this.unsubscribe();
    for (const [ws, client] of [...this.clients]) {
      ws.close(1001, 'station stopping');
      this.drop(ws, client);
    }
    await new Promise<void>((r) => this.wss.close(() => r()));
  }
}
