/**
 * A recorded trace as a meter's script. Accepted input: JSON lines of trace entries
 * (`{t, dir, hex, summary}`, as `omr read --trace` writes them) or a session journal (records
 * `{k: 'trace', entries: [...]}`). Each request the reader sent (`tx`) becomes a step whose
 * actions are, in order, the bytes received (`rx`) until the next request and the line changes
 * the reader made meanwhile (`info` "line 9600 8N1"), which the replaying meter makes too.
 *
 * What must match for a request to be answered (the rule `omr simulate --replay` documents):
 * - every byte, except what the trace redacted (`**`, a password and what derives from it: a
 *   stretch of any length, since the trace does not say how long it was), which matches anything;
 * - in an HDLC frame, the control field's sequence numbers N(S)/N(R) and the HCS/FCS, which are
 *   recomputed, and the invoke-id of a GET/SET/ACTION request, which the answer then carries;
 * - an HDLC frame may arrive with or without an extra opening flag.
 * HLS challenges are random by design: an HLS association cannot be replayed.
 */
import type { LineSettings } from '../../link/types';

export type ReplayAction = { type: 'send'; bytes: Uint8Array } | { type: 'line'; line: Pick<LineSettings, 'baudRate' | 'dataBits' | 'parity'> };

export interface ReplayStep {
  /** The request bytes; `null` where the trace redacted a stretch (of unknown length). */
  request: (number | null)[];
  summary: string;
  actions: ReplayAction[];
}

export interface ReplayScript {
  steps: ReplayStep[];
}

interface Entry {
  dir: 'tx' | 'rx' | 'info';
  hex: string;
  summary: string;
}

function entriesOf(text: string): Entry[] {
  const out: Entry[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (!line.trim()) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      // A torn last line (a crash while writing) carries nothing usable.
      continue;
    }
    const o = obj as { dir?: unknown; hex?: unknown; summary?: unknown; k?: unknown; entries?: unknown };
    const list = o.k === 'trace' && Array.isArray(o.entries) ? (o.entries as unknown[]) : o.dir ? [o] : [];
    for (const e of list) {
      const x = e as { dir?: unknown; hex?: unknown; summary?: unknown };
      if ((x.dir === 'tx' || x.dir === 'rx' || x.dir === 'info') && typeof x.hex === 'string')
        out.push({ dir: x.dir, hex: x.hex, summary: typeof x.summary === 'string' ? x.summary : '' });
      else throw new Error(`line ${lineNo}: not a trace entry`);
    }
  }
  return out;
}

const LINE_RE = /^line (\d+) ([78])([NEO])([12])/;

function toBytes(hex: string): (number | null)[] {
  const out: (number | null)[] = [];
  for (let i = 0; i + 1 < hex.length; i += 2) {
    const pair = hex.slice(i, i + 2);
    out.push(pair === '**' ? null : parseInt(pair, 16));
  }
  return out;
}

export function loadReplayScript(text: string): ReplayScript {
  const steps: ReplayStep[] = [];
  let current: ReplayStep | undefined;
  let pending: number[] = [];
  const flush = () => {
    if (current && pending.length) current.actions.push({ type: 'send', bytes: Uint8Array.from(pending) });
    pending = [];
  };
  for (const e of entriesOf(text)) {
    if (e.dir === 'tx') {
      flush();
      current = { request: toBytes(e.hex), summary: e.summary, actions: [] };
      steps.push(current);
    } else if (e.dir === 'rx') {
      // Bytes before the first request (a push, noise) have no request to answer.
      if (current) for (const b of toBytes(e.hex)) pending.push(b ?? 0);
    } else {
      const m = LINE_RE.exec(e.summary);
      if (m && current) {
        flush();
        current.actions.push({
          type: 'line',
          line: { baudRate: Number(m[1]), dataBits: Number(m[2]) as 7 | 8, parity: m[3] === 'N' ? 'none' : m[3] === 'E' ? 'even' : 'odd' },
        });
      }
    }
  }
  flush();
  if (!steps.length) throw new Error('the trace holds no request: nothing to replay');
  return { steps };
}
