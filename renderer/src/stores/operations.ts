/**
 * Which long operations have ended. `operation:ended` may arrive before the call that started
 * the operation has answered, so ends are remembered (a bounded set) and can be awaited.
 */
import type { OperationEnded } from '../../../shared/session';

const ended = new Map<string, OperationEnded>();
const waiters = new Map<string, Set<(e: OperationEnded) => void>>();
const KEEP = 200;

export function noteEnded(e: OperationEnded): void {
  ended.set(e.operationId, e);
  if (ended.size > KEEP) ended.delete(ended.keys().next().value!);
  const ws = waiters.get(e.operationId);
  waiters.delete(e.operationId);
  for (const w of ws ?? []) w(e);
}

export function endedOf(operationId: string): OperationEnded | undefined {
  return ended.get(operationId);
}

/** Resolves when the operation has ended, or with undefined after `timeoutMs`. */
export function whenEnded(operationId: string, timeoutMs: number): Promise<OperationEnded | undefined> {
  const done = ended.get(operationId);
  if (done) return Promise.resolve(done);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiters.get(operationId)?.delete(finish);
      resolve(undefined);
    }, timeoutMs);
    function finish(e: OperationEnded) {
      clearTimeout(timer);
      resolve(e);
    }
    if (!waiters.has(operationId)) waiters.set(operationId, new Set());
    waiters.get(operationId)!.add(finish);
  });
}
