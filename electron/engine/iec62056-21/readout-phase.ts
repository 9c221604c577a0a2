/**
 * The data readout (state `data`): one data message STX … ! CR LF ETX BCC, handled the moment its
 * BCC arrives. What was read of a cut-off message is kept, marked incomplete (a message without
 * its `!` end line too, even with a good BCC: READOUT_INCOMPLETE).
 */
import { OmrError } from '../../../shared/errors';
import { EOT, ETX, LF, STX, decodeDataMessage, latin1 } from './codec';
import { GARBAGE_AFTER_SWITCH } from './options';
import type { Reading } from '../../../shared/types';
import { dataSetToReading, parseDataBlock, type DataSet } from './readout';
import type { Session } from './session';
import { fallBack } from './sign-on';
import type { DataState, LineWatch } from './states';

export function dataByte(run: Session, st: DataState, b: number, now: number): void {
  const m = st.msg;
  if (!m.started) {
    if (b === STX) {
      m.started = true;
      m.buf = [b];
      run.setDeadline(now + run.timing.interCharMaxMs);
      return;
    }
    m.noise++;
    if (st.afterSwitch && m.noise >= GARBAGE_AFTER_SWITCH) fallBack(run, `${m.noise} unreadable bytes at ${run.baud} baud`, now);
    return;
  }
  m.buf.push(b);
  if (m.awaitingBcc) return dataComplete(run, st, now);
  if (b === ETX || b === EOT) m.awaitingBcc = true;
  else if (b === LF) lineArrived(run, st, now);
  if (m.buf.length > run.o.maxMessageBytes) {
    keepPartial(run, st, now);
    return run.fail(new OmrError('GARBLED', `data message longer than ${run.o.maxMessageBytes} bytes without an end`));
  }
  run.setDeadline(now + run.timing.interCharMaxMs);
}

/**
 * A data set continued over more than this many bytes is not handed over again for each further
 * line (parsing it again each time would grow with its square); the message's own readings carry
 * it whole.
 */
const MAX_CONTINUED_BYTES = 4096;

/**
 * A data line has ended (LF): its readings go out at once as `partialReadings`, unverified, so a
 * read cut off by anything (a killed process included) has kept every whole line. A line that
 * starts with `(` continues the last data set: the lines from that set's line are parsed again
 * and replace its readings.
 */
function lineArrived(run: Session, st: DataState, now: number): void {
  const m = st.msg;
  const w: LineWatch = (st.lines ??= { lineStart: 1, tailFrom: undefined, tailCount: 0, count: 0 });
  const end = m.buf.length;
  const line = latin1(Uint8Array.from(m.buf.slice(w.lineStart, end)));
  const lineStart = w.lineStart;
  w.lineStart = end;
  const readAt = new Date(now).toISOString();
  const unverified = (sets: DataSet[]) => readingsOf(sets, readAt).map((r) => ({ ...r, verified: false }));
  if (/^[ \t]*\(/.test(line) && w.tailFrom !== undefined) {
    if (end - w.tailFrom > MAX_CONTINUED_BYTES) return;
    const readings = unverified(parseDataBlock(latin1(Uint8Array.from(m.buf.slice(w.tailFrom, end)))).sets);
    const from = w.count - w.tailCount;
    w.count = from + readings.length;
    w.tailCount = readings.length;
    run.emit({ type: 'partialReadings', from, readings });
    return;
  }
  const readings = unverified(parseDataBlock(line).sets);
  if (!readings.length) return;
  run.emit({ type: 'partialReadings', from: w.count, readings });
  w.tailFrom = lineStart;
  w.tailCount = readings.length;
  w.count += readings.length;
}

/** Bytes of the data message so far (for progress), or undefined before its STX. */
export function dataProgress(st: DataState): number | undefined {
  return st.msg.started ? st.msg.buf.length : undefined;
}

function dataComplete(run: Session, st: DataState, now: number): void {
  const msg = Uint8Array.from(st.msg.buf);
  const readAt = new Date(now).toISOString();
  try {
    const { text } = decodeDataMessage(msg);
    const block = parseDataBlock(text);
    const readings = readingsOf(block.sets, readAt);
    run.checkParity('the data message');
    if (!block.complete) {
      // ETX and a good BCC, but no `!` end line: the meter (or a converter) cut the readout short.
      run.trace(`data message: ${readings.length} data sets, ${msg.length} bytes, BCC ok, no end line (!)`);
      run.emit({ type: 'readings', readings, complete: false });
      return run.fail(new OmrError('READOUT_INCOMPLETE', `the data message ends after ${readings.length} data sets without its end line (!)`));
    }
    run.trace(`data message: ${readings.length} data sets, ${msg.length} bytes, BCC ok`);
    run.emit({ type: 'readings', readings, complete: true });
    run.finish();
  } catch (e) {
    const err = e instanceof OmrError ? e : new OmrError('DECODE_ERROR', String(e));
    const readings = readingsOf(parseDataBlock(latin1(msg, 1, msg.length - 2)).sets, readAt);
    run.checkParity('the data message');
    run.emit({ type: 'readings', readings, complete: false });
    run.fail(err);
  }
}

function readingsOf(sets: DataSet[], readAt: string): Reading[] {
  return sets.filter((s) => s.address !== '').map((s) => dataSetToReading(s, { readAt, source: 'readout' }));
}

export function dataDeadline(run: Session, st: DataState, now: number): void {
  const m = st.msg;
  if (m.started) {
    keepPartial(run, st, now);
    return run.fail(new OmrError('TIMEOUT_INTERCHAR', `data message cut off after ${m.buf.length} bytes`));
  }
  if (st.afterSwitch) return fallBack(run, m.noise ? `${m.noise} unreadable bytes` : 'no answer', now);
  if (m.noise > 0) return run.fail(new OmrError('GARBLED', `${m.noise} byte(s) received, no data message`));
  return run.fail(new OmrError('TIMEOUT_REACTION', 'no data message after the identification'));
}

/** Emit the complete data sets of a cut-off data message (cancel, link lost, timeout). */
export function keepPartial(run: Session, st: DataState, now: number): void {
  const m = st.msg;
  if (!m.started || m.buf.length <= 1) return;
  const text = latin1(Uint8Array.from(m.buf), 1);
  const readAt = new Date(now).toISOString();
  const readings = readingsOf(parseDataBlock(text).sets, readAt);
  run.emit({ type: 'readings', readings, complete: false });
}
