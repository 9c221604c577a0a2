/**
 * What every command shares: the I/O it is given, exit codes, argument parsing (node:util
 * parseArgs; bad arguments are a UsageError, exit 2), the one-line error print, and the target
 * flags (--port, --tcp, --simulator, --fault) parsed once for every command that takes them.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ErrorInfo } from '../../shared/errors';
import { SimFaultSchema, type SimFault } from '../../shared/target';
import { tcpPortString, VIRTUAL_PORT_PATH } from '../link/open';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Standard input, for commands that read data from it (`omr explain`). */
  stdin?: AsyncIterable<unknown>;
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal;
}

/** Exit status: 0 complete, 1 failed, 2 usage, 3 partial (a read that got some of what was asked; `omr read`). */
export const EXIT = { ok: 0, failed: 1, usage: 2, partial: 3 } as const;

export class UsageError extends Error {}

export type Command = (args: string[], io: CliIo) => Promise<number>;

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, usage: string) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${usage}`);
  }
}

export function printError(io: CliIo, e: ErrorInfo): void {
  io.stderr.write(`omr: ${e.code}: ${e.message}${e.detail ? ` (${e.detail})` : ''}\n  → ${e.remedy}\n`);
}

export function targetFrom(values: { port?: string | undefined; tcp?: string | undefined; simulator?: boolean | undefined }, usage: string): string {
  const chosen = [values.port !== undefined, values.tcp !== undefined, !!values.simulator].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError(`choose exactly one of --port, --tcp, --simulator\n\n${usage}`);
  if (values.simulator) return VIRTUAL_PORT_PATH;
  if (values.tcp !== undefined) {
    const port = tcpPortString(values.tcp);
    if (!port) throw new UsageError(`--tcp wants HOST:PORT, got '${values.tcp}'\n\n${usage}`);
    return port;
  }
  return values.port!;
}

export function faultsFrom(list: string[] | undefined, usage: string): SimFault[] {
  return (list ?? []).map((f) => {
    const r = SimFaultSchema.safeParse(f);
    if (!r.success) throw new UsageError(`unknown fault '${f}'\n\n${usage}`);
    return r.data;
  });
}
