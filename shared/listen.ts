/**
 * Listening to a meter's customer port (P1 telegrams, DLMS pushes): the request of
 * `listen:start`, each frame's result as the renderer, the journal and the exports see it, and
 * the live event. Plain data only: no key ever appears in any of these but the start request.
 */
import { z } from 'zod';
import { TargetSchema } from './target';

/** The built-in virtual P1 meter, listed beside the ports in the customer-port view. */
export const P1_DEMO_PORT = 'virtual:p1';

/**
 * Line settings offered: P1 DSMR 4/5 (115200 8N1, the default), P1 DSMR 2.2/3 (9600 7E1), DLMS
 * push at 9600 or 115200 8N1 (2400 8N1 for older HAN ports).
 */
export const ListenLineSchema = z.enum(['p1', 'p1-legacy', 'push-2400', 'push-9600', 'push-115200']);
export type ListenLine = z.infer<typeof ListenLineSchema>;

export const LISTEN_LINES: Record<ListenLine, { baudRate: number; format: '8N1' | '7E1' }> = {
  p1: { baudRate: 115200, format: '8N1' },
  'p1-legacy': { baudRate: 9600, format: '7E1' },
  'push-2400': { baudRate: 2400, format: '8N1' },
  'push-9600': { baudRate: 9600, format: '8N1' },
  'push-115200': { baudRate: 115200, format: '8N1' },
};

const Key = z
  .string()
  .transform((s) => s.replace(/0x/gi, '').replace(/[\s:-]/g, ''))
  .pipe(z.string().regex(/^[0-9a-fA-F]{32}$/, '16 bytes as 32 hex digits'));

export const ListenStartSchema = z.object({
  target: TargetSchema,
  line: ListenLineSchema.default('p1'),
  /** Keys of ciphered pushes, for this run only (never journaled, never in an event). */
  keys: z.object({ encryptionKey: Key, authenticationKey: Key.optional() }).strict().optional(),
  /** Accept unciphered frames although a key is given. */
  allowPlain: z.boolean().default(false),
  /** Quiet time that ends a message (ms). */
  silenceMs: z.number().int().min(20).max(60_000).optional(),
  name: z.string().max(200).optional(),
  /** Language of the verdicts (the caller's UI); default: the main side's. */
  lang: z.enum(['en', 'fr']).optional(),
});
export type ListenStartRequest = z.input<typeof ListenStartSchema>;

/** How a listening session was set up (journaled; no key, only whether one was given). */
export interface ListenSetup {
  target: string;
  line: ListenLine;
  baudRate: number;
  format: '8N1' | '7E1';
  keyed: boolean;
  allowPlain: boolean;
}

export interface ListenValue {
  /** OBIS code, or `#n` for a position the payload does not name and no layout names. */
  obis: string;
  value: string;
  unit: string;
  captureTime?: string;
  /** A-XDR type and raw value of an unnamed position. */
  type?: string;
  raw?: string;
}

export type ListenStatus = 'good' | 'warning' | 'bad';

export interface ListenVerdict {
  status: ListenStatus;
  /** The layer that failed (`crc-bad`, `authentication-tag`, `framing`…), `ok` when none did. */
  layer: string;
  code?: string;
  message: string;
  remedy: string;
  detail?: string;
}

/** One frame or telegram heard, as decoded. */
export interface ListenFrame {
  /** PC time when it was complete (ISO). */
  t: string;
  /** 1-based number in the session. */
  n: number;
  kind: 'hdlc' | 'mbus' | 'apdu' | 'p1' | 'noise';
  verdict: ListenVerdict;
  /**
   * The list this message belongs to: `layout:<name>`, `sig:<hash>` (a push list nobody named)
   * or `p1:<identity>`; a meter pushing two lists gives two ids.
   */
  list?: { id: string; name: string; operator?: string };
  identity?: string;
  crc?: 'good' | 'bad' | 'none';
  meterTime?: string;
  /** Values of a message that passed its checks (empty when it did not). */
  values: ListenValue[];
  /** How many values a damaged message seemed to carry: never presented, never published. */
  uncheckedCount?: number;
  notes: string[];
  bytes: number;
}

export interface ListenCounts {
  messages: number;
  good: number;
  warnings: number;
  bad: number;
}

export interface ListenStarted {
  operationId: string;
  sessionId: string;
}

/** The `listen:frame` event. */
export interface ListenFrameEvent {
  operationId: string;
  sessionId: string;
  target: string;
  frame: ListenFrame;
  counts: ListenCounts;
}

export interface ListenStopped {
  sessionId: string;
  counts: ListenCounts;
}
