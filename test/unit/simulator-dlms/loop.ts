/**
 * The real DLMS client machine (DlmsClient over HdlcTransport) against the simulator's server
 * machine, on virtual time with no timers: each frame takes 5 ms, the client's wake-ups move the
 * clock. A fault hook may drop or corrupt frames of the server.
 */
import type { Action } from '../../../electron/engine/machine';
import { DlmsClient, type Authentication, type ClientSecurity, type DlmsClientEvent, type ResultItem } from '../../../electron/engine/dlms/client';
import { HdlcTransport, type HdlcTransportOptions } from '../../../electron/engine/dlms/transport';
import type { AttributeRequest } from '../../../electron/engine/dlms/apdu';
import type { DlmsServer, ServerAction, ServerEvent } from '../../../electron/simulator/dlms/server';

export type SendAction = Extract<ServerAction, { type: 'send' }>;

export interface LoopResult {
  events: DlmsClientEvent[];
  results: ResultItem[][];
  serverEvents: ServerEvent[];
  serverFrames: SendAction[];
  clientTraces: string[];
  failed?: { code: string; detail?: string };
  done: boolean;
  now: number;
}

export interface LoopOptions {
  clientSap: number;
  authentication?: Authentication;
  security?: ClientSecurity;
  transport?: Partial<HdlcTransportOptions>;
  conformance?: number;
  maxReceivePduSize?: number;
  /** GET jobs, run one after the other once associated; then the client releases. */
  jobs?: AttributeRequest[][];
  /** Start time (ms since the epoch): the meter's clock. */
  start: number;
  fault?: (frame: SendAction, n: number) => 'drop' | 'corrupt' | undefined;
  random?: (n: number) => Uint8Array;
}

export function session(server: DlmsServer, o: LoopOptions): LoopResult {
  const transport = new HdlcTransport({
    clientSap: o.clientSap,
    logicalDevice: 1,
    physicalAddress: 17,
    responseTimeoutMs: 1500,
    maxRetries: 3,
    ...o.transport,
  });
  const client = new DlmsClient({
    transport,
    authentication: o.authentication ?? { mechanism: 'none' },
    ...(o.security ? { security: o.security } : {}),
    ...(o.conformance !== undefined ? { conformance: o.conformance } : {}),
    ...(o.maxReceivePduSize !== undefined ? { maxReceivePduSize: o.maxReceivePduSize } : {}),
    ...(o.random ? { random: o.random } : {}),
  });
  const res: LoopResult = { events: [], results: [], serverEvents: [], serverFrames: [], clientTraces: [], done: false, now: o.start };
  const jobs = [...(o.jobs ?? [])];
  const nextJob = (now: number): Action<DlmsClientEvent>[] => {
    const job = jobs.shift();
    return job ? client.get(job, now).actions : client.release(now);
  };
  let queue: Action<DlmsClientEvent>[] = client.start(res.now);
  let wake: number | undefined;
  let n = 0;
  for (let guard = 0; guard < 2_000_000; guard++) {
    if (!queue.length) {
      if (res.done || res.failed || wake === undefined) break;
      res.now = Math.max(res.now, wake);
      wake = undefined;
      queue = client.tick(res.now);
      continue;
    }
    const a = queue.shift()!;
    switch (a.type) {
      case 'send': {
        res.now += 5;
        for (const s of server.receive(a.bytes, res.now)) {
          if (s.type === 'event') res.serverEvents.push(s.event);
          if (s.type !== 'send') continue;
          res.serverFrames.push(s);
          const f = o.fault?.(s, n++);
          if (f === 'drop') continue;
          let bytes = s.bytes;
          if (f === 'corrupt') {
            bytes = bytes.slice();
            bytes[bytes.length - 2]! ^= 0x5a;
          }
          res.now += 5;
          queue.push(...client.receive(bytes, res.now));
        }
        break;
      }
      case 'wakeAt':
        wake = a.at;
        break;
      case 'trace':
        res.clientTraces.push(a.summary);
        break;
      case 'event':
        res.events.push(a.event);
        if (a.event.type === 'associated') queue.push(...nextJob(res.now));
        if (a.event.type === 'result') {
          res.results.push(a.event.results);
          queue.push(...nextJob(res.now));
        }
        break;
      case 'done':
        res.done = true;
        break;
      case 'fail':
        res.failed = a.error.detail === undefined ? { code: a.error.code } : { code: a.error.code, detail: a.error.detail };
        break;
      default:
        break;
    }
  }
  return res;
}
