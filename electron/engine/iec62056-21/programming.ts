/**
 * Programming mode (states `progP0`, `prog`): the meter's P0, then P1 (password, redacted) and
 * one R1 per address, each answer handled the moment its BCC arrives; damaged messages are NAKed
 * (bounded by maxNak). The client sends B0 when it ends the session itself (done, timeout, NAK
 * limit after P0, refused password, cancel); not after the meter's own B0.
 */
import { OmrError } from '../../../shared/errors';
import { ACK, EOT, ETX, NAK, SOH, STX, decodeCommand, decodeDataMessage, encodeCommandWithSpan, parseErrorAnswer, visible, type CommandMessage } from './codec';
import { GARBAGE_AFTER_SWITCH, wireTimeMs } from './options';
import type { Reading } from '../../../shared/types';
import { formatObis, parseObisAddress } from '../obis/normalise';
import { dataSetToReading, parseDataBlock } from './readout';
import type { Session } from './session';
import { fallBack } from './sign-on';
import { newAssembly, type Assembly, type ProgP0State, type ProgState } from './states';

type ProgStates = ProgP0State | ProgState;

/** Assemble the meter's messages (and take its lone ACK / NAK) in either programming state. */
export function progByte(run: Session, st: ProgStates, b: number, now: number): void {
  const m = st.msg;
  if (!m.started) {
    if (b === ACK || b === NAK) {
      run.progBytes++;
      return b === ACK ? progAck(run, st, now) : progNak(run, st, now);
    }
    if (b === STX || b === SOH) {
      m.started = true;
      m.buf = [b];
      run.progBytes++;
      run.setDeadline(now + run.timing.interCharMaxMs);
      return;
    }
    m.noise++;
    if (st.kind === 'progP0' && st.afterSwitch && m.noise >= GARBAGE_AFTER_SWITCH) fallBack(run, `${m.noise} unreadable bytes at ${run.baud} baud`, now);
    return;
  }
  m.buf.push(b);
  run.progBytes++;
  if (m.awaitingBcc) return progMessage(run, st, now);
  if (b === ETX || b === EOT) m.awaitingBcc = true;
  if (m.buf.length > run.o.maxMessageBytes) {
    sendBreak(run, now);
    return run.fail(new OmrError('GARBLED', `message longer than ${run.o.maxMessageBytes} bytes without an end`));
  }
  run.setDeadline(now + run.timing.interCharMaxMs);
}

/** Bytes received in programming mode (for progress) while a message is arriving. */
export function progProgress(run: Session, st: ProgStates): number | undefined {
  return st.msg.started ? run.progBytes : undefined;
}

/** A decoded message of the meter: a command (SOH …) or an answer (STX … ETX|EOT). */
type Decoded = { cmd: CommandMessage } | { text: string; end: number };

function progMessage(run: Session, st: ProgStates, now: number): void {
  const msg = Uint8Array.from(st.msg.buf);
  Object.assign(st.msg, newAssembly());
  let d: Decoded;
  try {
    d = msg[0] === SOH ? { cmd: decodeCommand(msg) } : decodeDataMessage(msg);
  } catch (e) {
    return askRepeat(run, st, now, e);
  }
  run.checkParity('cmd' in d ? 'a command message' : 'an answer');
  if ('cmd' in d) {
    const { cmd } = d;
    if (cmd.command === 'B') {
      run.trace('B0 from the meter (break)');
      const authRejected = st.kind === 'prog' && st.pending.kind === 'P1';
      return run.fail(
        authRejected
          ? new OmrError('AUTH_REJECTED', 'the meter broke off after the password (B0)')
          : new OmrError('METER_ERROR', 'the meter broke off the programming session (B0)'),
      );
    }
    if (st.kind === 'progP0' && cmd.command === 'P' && cmd.type === '0') return signedOn(run, cmd, now);
    run.trace(`unexpected command ${cmd.command}${cmd.type}`);
    return askRepeat(run, st, now, new OmrError('DECODE_ERROR', `unexpected command ${cmd.command}${cmd.type}`));
  }
  if (st.kind === 'progP0') return askRepeat(run, st, now, new OmrError('DECODE_ERROR', 'data before P0'));
  answer(run, st, d.text, d.end, now);
}

/** P0 came: log in with P1 when there is a password, else start reading. */
function signedOn(run: Session, cmd: CommandMessage, now: number): void {
  run.trace(`P0 operand ${cmd.data ?? ''}`);
  run.naks = 0;
  const from = { msg: newAssembly(), readIndex: 0, blockText: '' };
  if (run.o.password === undefined) return nextRead(run, from, now);
  const { bytes, dataStart, dataEnd } = encodeCommandWithSpan({ command: 'P', type: '1', data: `(${run.o.password})` });
  // The password bytes and the BCC (which is computed from them) are secret.
  const redact: [number, number][] = [
    [dataStart + 1, dataEnd - 1],
    [bytes.length - 1, bytes.length],
  ];
  run.become({ kind: 'prog', ...from, pending: { kind: 'P1', bytes, summary: 'P1 (password)', redact } });
  const leaves = run.send(bytes, 'P1 (password)', now, redact);
  run.setDeadline(leaves + run.timing.reactionMaxMs);
}

/** An answer (STX … ETX|EOT BCC) to the pending P1 or R1. */
function answer(run: Session, st: ProgState, blockText: string, end: number, now: number): void {
  run.naks = 0;
  if (end === EOT) {
    // A partial block: acknowledge to get the next one.
    st.blockText += blockText;
    run.send(Uint8Array.of(ACK), 'ACK (next block)', now);
    run.setDeadline(now + wireTimeMs(1, run.baud) + run.timing.reactionMaxMs);
    return;
  }
  const text = st.blockText + blockText;
  st.blockText = '';
  const error = parseErrorAnswer(text);
  const p = st.pending;
  if (p.kind === 'P1') {
    sendBreak(run, now);
    return run.fail(new OmrError('AUTH_REJECTED', error ? `password refused (${error})` : `unexpected answer to the password: ${visible(text).slice(0, 40)}`));
  }
  const readAt = new Date(now).toISOString();
  if (error) {
    registerError(run, p.address, error, readAt);
  } else {
    const readings: Reading[] = [];
    for (const set of parseDataBlock(text).sets) {
      const s = set.address === '' ? { ...set, address: p.address } : set;
      // `1.8.0(ER12)` inside a longer answer: an error for that register, not a value.
      const code = s.groups.length === 1 ? meterErrorCode(s.groups[0]!.value) : undefined;
      if (code) registerError(run, s.address, code, readAt);
      else readings.push(dataSetToReading(s, { readAt, source: 'programming' }));
    }
    if (readings.length) run.emit({ type: 'readings', readings, complete: true });
  }
  nextRead(run, { ...st, readIndex: st.readIndex + 1 }, now);
}

/** The meter's error code in a value group (`ER12`), if that is what it holds. */
function meterErrorCode(value: string): string | undefined {
  return /^ER[0-9A-Za-z]{0,6}$/.test(value) ? value : undefined;
}

/** A register answered with an error code: reported (event and warning), the read goes on. */
function registerError(run: Session, address: string, meterCode: string, at: string): void {
  const parts = parseObisAddress(address);
  run.emit({ type: 'registerError', error: { address, obis: parts ? formatObis(parts) : address, meterCode, at } });
  run.warn('METER_ERROR', `${address}: ${meterCode}`);
}

function progAck(run: Session, st: ProgStates, now: number): void {
  if (st.kind === 'prog' && st.pending.kind === 'P1') {
    run.trace('password accepted');
    run.naks = 0;
    return nextRead(run, st, now);
  }
  // An ACK that answers nothing: ignore.
  st.msg.noise++;
}

function progNak(run: Session, st: ProgStates, now: number): void {
  if (st.kind !== 'prog') {
    st.msg.noise++;
    return;
  }
  const p = st.pending;
  run.naks++;
  if (run.naks > run.o.maxNak) {
    sendBreak(run, now);
    return run.fail(new OmrError('NAK_LIMIT', `${run.naks} NAKs for ${p.kind === 'P1' ? 'the password' : p.address}`));
  }
  const leaves = run.send(p.bytes, `${p.summary} (repeat ${run.naks})`, now, p.kind === 'P1' ? p.redact : undefined);
  run.setDeadline(leaves + run.timing.reactionMaxMs);
}

/** A damaged or unexpected message from the meter: NAK it (bounded). */
function askRepeat(run: Session, st: ProgStates, now: number, e: unknown): void {
  const err = e instanceof OmrError ? e : new OmrError('DECODE_ERROR', String(e));
  run.naks++;
  if (run.naks > run.o.maxNak) {
    if (st.kind === 'prog') sendBreak(run, now);
    return run.fail(err.code === 'BCC_MISMATCH' || err.code === 'DECODE_ERROR' ? err : new OmrError('NAK_LIMIT', err.message));
  }
  run.trace(`${err.code}: ${err.detail ?? ''}; asking for a repeat`);
  const leaves = run.send(Uint8Array.of(NAK), 'NAK', now);
  run.setDeadline(leaves + run.timing.reactionMaxMs);
}

/** Send R1 for the next valid address from `from.readIndex` on, or end with B0 when none is left. */
function nextRead(run: Session, from: { msg: Assembly; readIndex: number; blockText: string }, now: number): void {
  const reads = run.o.reads ?? [];
  for (let i = from.readIndex; i < reads.length; i++) {
    const address = reads[i]!;
    let bytes: Uint8Array;
    try {
      bytes = encodeCommandWithSpan({ command: 'R', type: '1', data: `${address}()` }).bytes;
    } catch (e) {
      run.warn('INVALID_REQUEST', `${address}: ${(e as Error).message}`);
      continue;
    }
    run.become({ kind: 'prog', msg: from.msg, blockText: from.blockText, readIndex: i, pending: { kind: 'R1', bytes, summary: `R1 ${address}`, address } });
    run.naks = 0;
    const leaves = run.send(bytes, `R1 ${address}`, now);
    run.setDeadline(leaves + run.timing.reactionMaxMs);
    return;
  }
  sendBreak(run, now);
  run.finish();
}

export function p0Deadline(run: Session, st: ProgP0State, now: number): void {
  const { started, noise } = st.msg;
  if (!started && st.afterSwitch) return fallBack(run, noise ? `${noise} unreadable bytes` : 'no answer', now);
  sendBreak(run, now);
  run.fail(new OmrError(started ? 'TIMEOUT_INTERCHAR' : 'TIMEOUT_REACTION', 'no P0 message after the option select'));
}

export function progDeadline(run: Session, st: ProgState, now: number): void {
  sendBreak(run, now);
  const detail = st.pending.kind === 'R1' ? `no answer to R1 ${st.pending.address}` : 'no answer in programming mode';
  run.fail(new OmrError(st.msg.started ? 'TIMEOUT_INTERCHAR' : 'TIMEOUT_REACTION', detail));
}

/** Cancel once the session has begun: B0 first. */
export function progCancel(run: Session, _st: ProgState, now: number): void {
  sendBreak(run, now);
}

/** B0 (no echo expected: the session is over). */
function sendBreak(run: Session, now: number): void {
  run.send(encodeCommandWithSpan({ command: 'B', type: '0' }).bytes, 'B0 (end of programming mode)', now, undefined, false);
}
