/**
 * `omr serve --customer-…`: the station listens to a meter's customer port (P1 telegrams, DLMS
 * pushes) with the app's listener, each frame journaled in a session and, with --mqtt, published
 * like a poll (refused frames without their values). When the port goes away the listener is
 * started again after a pause that doubles from 2 s up to 60 s, in a new session, until the
 * station stops.
 */
import { readFileSync } from 'node:fs';
import { P1_DEMO_PORT, ListenLineSchema, type ListenCounts, type ListenFrameEvent, type ListenLine, type ListenStarted } from '../../../shared/listen';
import type { OperationEnded } from '../../../shared/session';
import type { AppServices } from '../../app/app';
import { parsePushKeyFile } from '../../features/read/dlms-read';
import { tcpPortString } from '../../link/open';
import { P1_FAULTS, type P1Fault } from '../../simulator/p1/telegram';
import type { P1MeterOptions } from '../../simulator/p1/meter';
import { printError, UsageError, type CliIo } from '../options';
import { normaliseKeyText } from './listen';

export const CUSTOMER_PORT_USAGE = `
 Customer port (P1 telegrams, DLMS pushes; published like polls with --mqtt):
  --customer-port PATH      listen to the meter's customer port on this serial port
  --customer-tcp HOST:PORT  … or on a TCP bridge that forwards its bytes
  --customer-p1-demo        … or to the built-in virtual P1 meter (${P1_DEMO_PORT})
  --customer-line L         p1 (115200 8N1, default), p1-legacy (9600 7E1), push-2400, push-9600, push-115200
  --customer-key-file FILE  keys of ciphered pushes (encryptionKey, authenticationKey; or OMR_KEY_FILE)
  --customer-allow-plain    accept unciphered frames although a key is set
  --p1-fault NAME           virtual P1 meter only: ${P1_FAULTS.join(', ')}
  --p1-interval MS          virtual P1 meter only: time between telegrams (default 1000)
`;

export const CUSTOMER_PORT_OPTIONS = {
  'customer-port': { type: 'string' },
  'customer-tcp': { type: 'string' },
  'customer-p1-demo': { type: 'boolean' },
  'customer-line': { type: 'string' },
  'customer-key-file': { type: 'string' },
  'customer-allow-plain': { type: 'boolean' },
  'p1-fault': { type: 'string', multiple: true },
  'p1-interval': { type: 'string' },
} as const;

export interface CustomerPortValues {
  'customer-port'?: string | undefined;
  'customer-tcp'?: string | undefined;
  'customer-p1-demo'?: boolean | undefined;
  'customer-line'?: string | undefined;
  'customer-key-file'?: string | undefined;
  'customer-allow-plain'?: boolean | undefined;
  'p1-fault'?: string[] | undefined;
  'p1-interval'?: string | undefined;
}

export interface CustomerPort {
  target: string;
  line: ListenLine;
  keys?: { encryptionKey: string; authenticationKey?: string };
  allowPlain: boolean;
  p1Meter?: P1MeterOptions;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The customer port chosen on the command line, or undefined when none was. */
export function customerPortFrom(values: CustomerPortValues, usage: string, env: NodeJS.ProcessEnv = process.env): CustomerPort | undefined {
  const chosen = [values['customer-port'] !== undefined, values['customer-tcp'] !== undefined, !!values['customer-p1-demo']].filter(Boolean).length;
  const others = values['customer-line'] !== undefined || values['customer-key-file'] !== undefined || !!values['customer-allow-plain'];
  const demoOnly = values['p1-fault'] !== undefined || values['p1-interval'] !== undefined;
  if (chosen === 0) {
    if (others) throw new UsageError(`the --customer-… options need --customer-port, --customer-tcp or --customer-p1-demo\n\n${usage}`);
    if (demoOnly) throw new UsageError(`--p1-fault and --p1-interval need --customer-p1-demo\n\n${usage}`);
    return undefined;
  }
  if (chosen > 1) throw new UsageError(`choose one of --customer-port, --customer-tcp, --customer-p1-demo\n\n${usage}`);
  if (demoOnly && !values['customer-p1-demo']) throw new UsageError(`--p1-fault and --p1-interval need --customer-p1-demo\n\n${usage}`);
  let target: string;
  if (values['customer-p1-demo']) target = P1_DEMO_PORT;
  else if (values['customer-tcp'] !== undefined) {
    const t = tcpPortString(values['customer-tcp']);
    if (!t) throw new UsageError(`--customer-tcp wants HOST:PORT, got '${values['customer-tcp']}'\n\n${usage}`);
    target = t;
  } else target = values['customer-port']!;
  const line = ListenLineSchema.safeParse(values['customer-line'] ?? 'p1');
  if (!line.success) throw new UsageError(`--customer-line wants one of ${ListenLineSchema.options.join(', ')}\n\n${usage}`);
  const keyFile = values['customer-key-file'] ?? env.OMR_KEY_FILE;
  let keys: CustomerPort['keys'];
  if (keyFile) {
    let text: string;
    try {
      text = readFileSync(keyFile, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read the key file ${keyFile}: ${(e as Error).message}\n\n${usage}`);
    }
    const k = parsePushKeyFile(normaliseKeyText(text));
    keys = { encryptionKey: hex(k.encryptionKey), ...(k.authenticationKey ? { authenticationKey: hex(k.authenticationKey) } : {}) };
  }
  const faults = (values['p1-fault'] ?? []).map((f) => {
    if (!P1_FAULTS.includes(f as P1Fault)) throw new UsageError(`unknown P1 fault '${f}'\n\n${usage}`);
    return f as P1Fault;
  });
  const intervalMs = values['p1-interval'] === undefined ? undefined : Number(values['p1-interval']);
  if (intervalMs !== undefined && !(Number.isInteger(intervalMs) && intervalMs >= 50 && intervalMs <= 60_000))
    throw new UsageError(`--p1-interval wants milliseconds from 50 to 60000\n\n${usage}`);
  return {
    target,
    line: line.data,
    ...(keys ? { keys } : {}),
    allowPlain: !!values['customer-allow-plain'],
    ...(target === P1_DEMO_PORT ? { p1Meter: { faults, ...(intervalMs !== undefined ? { intervalMs } : {}) } } : {}),
  };
}

export interface CustomerPortRun {
  /** Resolves once the first start was tried (its outcome is printed). */
  started: Promise<void>;
  status(): { target: string; sessionId?: string; running: boolean; restarts: number; counts: ListenCounts; lastError?: string };
  /** No restart after this (the services' dispose() stops the listener itself). */
  close(): void;
}

const RESTART_MIN_MS = 2000;
const RESTART_MAX_MS = 60_000;

/** Start listening now, and again after a pause whenever the port goes away. */
export function startCustomerPort(services: AppServices, cp: CustomerPort, io: CliIo): CustomerPortRun {
  let current: ListenStarted | undefined;
  let counts: ListenCounts = { messages: 0, good: 0, warnings: 0, bad: 0 };
  let restarts = 0;
  let lastError: string | undefined;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let backoff = RESTART_MIN_MS;
  const off = services.events.subscribe((channel, payload) => {
    if (channel === 'listen:frame') {
      const e = payload as ListenFrameEvent;
      if (e.operationId === current?.operationId) {
        counts = e.counts;
        if (e.frame.verdict.status !== 'bad') backoff = RESTART_MIN_MS;
      }
    } else if (channel === 'operation:ended') {
      const e = payload as OperationEnded;
      if (e.operationId !== current?.operationId) return;
      current = undefined;
      if (e.state === 'failed') {
        lastError = e.error ? `${e.error.code}: ${e.error.message}` : 'failed';
        if (e.error) printError(io, e.error);
        later();
      }
    }
  });
  const later = (): void => {
    if (closed) return;
    io.stderr.write(`customer port ${cp.target}: listening again in ${Math.round(backoff / 1000)} s\n`);
    timer = setTimeout(() => {
      timer = undefined;
      restarts++;
      void start();
    }, backoff);
    backoff = Math.min(backoff * 2, RESTART_MAX_MS);
  };
  const start = async (): Promise<void> => {
    if (closed) return;
    const r = await services.dispatcher.dispatch(
      'listen:start',
      { target: cp.target, line: cp.line, allowPlain: cp.allowPlain, ...(cp.keys ? { keys: cp.keys } : {}), name: `Station customer port ${cp.target}` },
      { client: 'station' },
    );
    if (r.ok) {
      current = r.value as ListenStarted;
      counts = { messages: 0, good: 0, warnings: 0, bad: 0 };
      io.stdout.write(`Listening to the customer port ${cp.target} (${cp.line}; session ${current.sessionId})\n`);
    } else {
      lastError = `${r.error.code}: ${r.error.message}`;
      printError(io, r.error);
      later();
    }
  };
  return {
    started: start(),
    status: () => ({
      target: cp.target,
      ...(current ? { sessionId: current.sessionId } : {}),
      running: !!current,
      restarts,
      counts,
      ...(lastError ? { lastError } : {}),
    }),
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      off();
    },
  };
}
