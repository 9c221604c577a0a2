/**
 * Runs the real client (DlmsClient over HdlcTransport) against a {@link HostileMeter} in virtual
 * time: the client's one timer and the meter's timed bytes are the only clock.
 */
import { DlmsClient, type Authentication, type ClientSecurity, type DlmsClientEvent, type ResultItem } from '../../../electron/engine/dlms/client';
import { HdlcTransport } from '../../../electron/engine/dlms/transport';
import type { Action } from '../../../electron/engine/machine';
import type { AttributeRequest } from '../../../electron/engine/dlms/apdu';
import type { HostileMeter, Out } from '../../kit/hostile-meter';

export interface HostileRun {
  failed?: { code: string; detail?: string };
  associated: boolean;
  results: ResultItem[][];
  done: boolean;
  now: number;
  /** When the release was asked for and when the run ended. */
  releaseAt?: number;
  sent: number;
  traces: string[];
}

export function driveHostile(
  meter: HostileMeter,
  o: { authentication?: Authentication; security?: ClientSecurity; clientSap?: number; gets: AttributeRequest[][]; maxAnswerBytes?: number; limitMs?: number },
): HostileRun {
  const client = new DlmsClient({
    transport: new HdlcTransport({ clientSap: o.clientSap ?? 16, logicalDevice: 1, physicalAddress: 17, parameters: { maxInfoRx: 512, maxInfoTx: 512 } }),
    authentication: o.authentication ?? { mechanism: 'none' },
    ...(o.security ? { security: o.security } : {}),
    ...(o.maxAnswerBytes ? { maxAnswerBytes: o.maxAnswerBytes } : {}),
    random: (n) => new Uint8Array(n).fill(0x42),
  });
  const run: HostileRun = { associated: false, results: [], done: false, now: 0, sent: 0, traces: [] };
  const inbox: Out[] = [];
  let wake = Infinity;
  let outstanding = 0;
  const process = (actions: Action<DlmsClientEvent>[]): void => {
    const queue = [...actions];
    while (queue.length) {
      const a = queue.shift()!;
      switch (a.type) {
        case 'send':
          run.sent += a.bytes.length;
          for (const out of meter.feed(a.bytes, run.now)) inbox.push(out);
          inbox.sort((x, y) => x.at - y.at);
          break;
        case 'wakeAt':
          wake = a.at;
          break;
        case 'trace':
          if (run.traces.length < 2000) run.traces.push(a.summary);
          break;
        case 'done':
          run.done = true;
          break;
        case 'fail':
          run.failed = { code: a.error.code, ...(a.error.detail ? { detail: a.error.detail } : {}) };
          break;
        case 'event': {
          const e = a.event;
          if (e.type === 'associated') {
            run.associated = true;
            for (const g of o.gets) {
              outstanding++;
              queue.push(...client.get(g, run.now).actions);
            }
            if (!o.gets.length) {
              run.releaseAt = run.now;
              queue.push(...client.release(run.now));
            }
          } else if (e.type === 'result') {
            run.results.push(e.results);
            if (--outstanding === 0 && !run.failed) {
              run.releaseAt = run.now;
              queue.push(...client.release(run.now));
            }
          }
          break;
        }
        default:
          break;
      }
    }
  };
  process(client.start(0));
  const limit = o.limitMs ?? 600_000;
  for (let steps = 0; steps < 2_000_000 && !run.done && !run.failed; steps++) {
    const next = Math.min(wake, inbox[0]?.at ?? Infinity);
    if (!Number.isFinite(next) || next > limit) break;
    run.now = Math.max(run.now, next);
    if (inbox[0] && inbox[0].at <= run.now) {
      process(client.receive(inbox.shift()!.bytes, run.now));
    } else {
      wake = Infinity;
      process(client.tick(run.now));
    }
  }
  return run;
}
