/**
 * The headless station's WebSocket framing of the contract. It only wraps: the channels, the
 * request schemas and the envelopes are those of contract.ts, exactly as over Electron IPC.
 *
 *   browser → station  {t: 'invoke', id, channel, request?}
 *   station → browser  {t: 'result', id, envelope}      (one per invoke, in any order)
 *                      {t: 'event', channel, payload}  (the event channels of the contract)
 *                      {t: 'hello', version}           (once, on connect)
 */
import { z } from 'zod';
import type { Envelope, EventChannel } from './contract';

export const STATION_WS_PATH = '/ws';
/** The token's key in the page address, the WebSocket address and sessionStorage. */
export const STATION_TOKEN_PARAM = 'token';
/** Largest message a client may send (requests are small; settings with 100 profiles fit). */
export const STATION_MAX_MESSAGE = 256 * 1024;

export const WsInvokeSchema = z
  .object({
    t: z.literal('invoke'),
    id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    channel: z.string().min(1).max(80),
    request: z.unknown().optional(),
  })
  .strict();
export type WsInvoke = z.infer<typeof WsInvokeSchema>;

export type WsServerMessage =
  { t: 'result'; id: number; envelope: Envelope<unknown> } | { t: 'event'; channel: EventChannel; payload: unknown } | { t: 'hello'; version: string };
