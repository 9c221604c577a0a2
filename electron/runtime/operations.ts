/**
 * Long operations (alignment, reads, exports): each has an id, an AbortController for cancel,
 * and ends exactly once with an `operation:ended` event.
 */
import { randomBytes } from 'node:crypto';
import { OmrError, toErrorInfo, type Lang } from '../../shared/errors';
import type { OperationEnded } from '../../shared/session';
import type { EventBus } from './events';

export interface Operation {
  id: string;
  kind: string;
  controller: AbortController;
  sessionId?: string;
}

export class Operations {
  private running = new Map<string, Operation>();
  constructor(
    private readonly events: EventBus,
    private readonly lang: () => Lang,
  ) {}

  start(kind: string, sessionId?: string): Operation {
    const op: Operation = { id: `${kind}-${randomBytes(4).toString('hex')}`, kind, controller: new AbortController(), ...(sessionId ? { sessionId } : {}) };
    this.running.set(op.id, op);
    return op;
  }

  get(id: string): Operation | undefined {
    return this.running.get(id);
  }

  cancel(id: string): boolean {
    const op = this.running.get(id);
    if (!op) return false;
    op.controller.abort(new OmrError('CANCELLED'));
    return true;
  }

  /** End an operation: `error` undefined = done; a CANCELLED error (or an aborted signal) = cancelled. */
  end(op: Operation, error?: unknown): OperationEnded {
    this.running.delete(op.id);
    const cancelled = op.controller.signal.aborted || (error instanceof OmrError && error.code === 'CANCELLED');
    const ended: OperationEnded = {
      operationId: op.id,
      ...(op.sessionId ? { sessionId: op.sessionId } : {}),
      state: error === undefined ? 'done' : cancelled ? 'cancelled' : 'failed',
      ...(error !== undefined ? { error: toErrorInfo(error, this.lang()) } : {}),
    };
    this.events.emit('operation:ended', ended);
    return ended;
  }

  /** Abort everything (window closed, app quitting). */
  cancelAll(): void {
    for (const id of [...this.running.keys()]) this.cancel(id);
  }

  get size(): number {
    return this.running.size;
  }
}
