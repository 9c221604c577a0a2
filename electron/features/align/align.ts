/**
 * Alignment diagnostics: while the technician holds the head, repeat identification requests at
 * 300 baud and report each try (pass/fail, reaction time, echo, noise and parity errors) with a
 * plain-language state. Stops by itself once the head is steady, and always closes the port.
 */
import { toErrorInfo, type ErrorInfo } from '../../../shared/errors';
import type { AlignUpdate } from '../../../shared/session';
import type { SimFault } from '../../../shared/target';
import type { EventBus } from '../../runtime/events';
import { iecOptions, runIec } from '../read/iec';
import type { Operations } from '../../runtime/operations';
import type { SettingsService } from '../settings/settings';
import type { Targets } from '../ports/targets';

export interface AlignDeps {
  targets: Targets;
  settings: SettingsService;
  events: EventBus;
  operations: Operations;
  /** Pause between two tries, so that the meter is back to idle (it waits for an option select after its identification). */
  gapMs?: number;
  /** How many recent tries the success rate covers. */
  window?: number;
}

export interface AlignRequest {
  target: string;
  address?: string;
  simFaults?: SimFault[];
  steadyAfter: number;
  maxTries: number;
}

function stateOf(u: AlignUpdate, consecutive: number, steadyAfter: number, error?: ErrorInfo): AlignUpdate['state'] {
  if (consecutive >= steadyAfter) return 'steady';
  if (u.lastOk) return 'unstable';
  switch (error?.code) {
    case 'ECHO_ONLY':
      return 'echo-only';
    case 'NO_ECHO_NO_ANSWER':
    case 'TIMEOUT_REACTION':
      return u.recent.some(Boolean) ? 'unstable' : 'silent';
    case 'GARBLED':
    case 'PARITY_ERROR':
    case 'BCC_MISMATCH':
    case 'TIMEOUT_INTERCHAR':
      return 'garbled';
    default:
      return u.recent.some(Boolean) ? 'unstable' : 'searching';
  }
}

export class AlignService {
  private last = new Map<string, AlignUpdate>();
  constructor(private readonly deps: AlignDeps) {}

  async start(req: AlignRequest): Promise<{ operationId: string }> {
    const { targets, events, operations, settings } = this.deps;
    // Open before answering, so that PORT_BUSY / PORT_PERMISSION reach the caller directly.
    const opened = await targets.open(req.target, req.simFaults ? { simFaults: req.simFaults } : {});
    const op = operations.start('align');
    const windowSize = this.deps.window ?? 10;
    const gapMs = this.deps.gapMs ?? 1000;
    let update: AlignUpdate = {
      operationId: op.id,
      tries: 0,
      recent: [],
      successRate: 0,
      lastOk: false,
      echo: false,
      parityErrors: 0,
      noise: false,
      state: 'searching',
      running: true,
    };
    this.last.set(op.id, update);
    const publish = (u: AlignUpdate) => {
      update = u;
      this.last.set(op.id, u);
      events.emit('align:update', u);
    };
    publish(update);

    void (async () => {
      let consecutive = 0;
      let failure: unknown;
      try {
        while (!op.controller.signal.aborted && opened.link.isOpen) {
          let parity = 0;
          let sawTx = '';
          let echo = false;
          const run = await runIec(
            opened.link,
            iecOptions(settings.get(), { purpose: 'identify', ...(req.address ? { address: req.address } : {}), requestAttempts: 1 }),
            {
              onParityErrors: (n) => (parity += n),
              onTrace: (e) => {
                if (e.dir === 'tx') sawTx += e.hex;
                else if (e.dir === 'rx' && sawTx && e.hex.startsWith(sawTx.slice(0, 6))) echo = true;
              },
            },
            op.controller.signal,
          );
          if (op.controller.signal.aborted) break;
          const ok = !!run.identity && !run.error;
          consecutive = ok ? consecutive + 1 : 0;
          const recent = [...update.recent, ok].slice(-windowSize);
          const next: AlignUpdate = {
            operationId: op.id,
            tries: update.tries + 1,
            recent,
            successRate: recent.filter(Boolean).length / recent.length,
            lastOk: ok,
            echo: echo || run.error?.code === 'ECHO_ONLY',
            parityErrors: update.parityErrors + parity,
            noise: parity > 0 || run.error?.code === 'GARBLED',
            state: 'searching',
            running: true,
            ...(run.reactionMs !== undefined && ok ? { lastReactionMs: run.reactionMs } : {}),
            ...(run.error ? { lastError: run.error } : {}),
            ...(run.identity ? { identLine: run.identity.raw } : {}),
          };
          next.state = stateOf(next, consecutive, req.steadyAfter, run.error);
          if (run.error?.code === 'LINK_LOST') {
            publish({ ...next, state: 'failed', running: false });
            break;
          }
          const finished = next.state === 'steady' || (req.maxTries > 0 && next.tries >= req.maxTries);
          publish({ ...next, running: !finished });
          if (finished) break;
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, gapMs);
            op.controller.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
          });
        }
      } catch (e) {
        failure = e;
        publish({ ...update, state: 'failed', running: false, lastError: toErrorInfo(e) });
      } finally {
        await opened.close().catch(() => undefined);
        if (update.running) publish({ ...update, state: op.controller.signal.aborted ? 'stopped' : update.state, running: false });
        operations.end(op, failure);
      }
    })();
    return { operationId: op.id };
  }

  /** Stop a running alignment; answers its last update (null when unknown). */
  stop(operationId: string): AlignUpdate | null {
    this.deps.operations.cancel(operationId);
    const u = this.last.get(operationId);
    return u ? { ...u, running: false, state: u.running ? 'stopped' : u.state } : null;
  }
}
