/**
 * Mode E (states `modeE`, `modeESwitch`): `ACK 2 Z 2`, then 8N1 at the new speed, then the HDLC
 * layer takes the line over.
 */
import type { MeterIdentity } from '../../../shared/types';
import { ACK, LF, MODE_C_BAUD, encodeOptionSelect, latin1, modeCCharFor } from './codec';
import { wireTimeMs } from './options';
import type { Session } from './session';
import type { ModeESwitchState, ModeEState } from './states';

/** At most this many bytes of an acknowledgement are held (`ACK 2 Z 2 CR LF` is 6). */
const MAX_ACK_BYTES = 8;

export function startModeE(run: Session, id: MeterIdentity, now: number): void {
  const target = run.fellBack ? 300 : Math.min(id.maxBaud, run.o.maxBaud);
  const baudChar = modeCCharFor(target);
  const bytes = encodeOptionSelect({ protocol: '2', baudChar, mode: '2' });
  const targetBaud = MODE_C_BAUD[baudChar]!;
  const leaves = run.send(bytes, `ACK 2${baudChar}2 (mode E at ${targetBaud} baud)`, now);
  run.become({ kind: 'modeE', option: latin1(bytes), target: targetBaud, ack: [], extended: false });
  // Some meters acknowledge with the same bytes at the old speed, some do not: wait for that
  // acknowledgement at most the time it would take (baud-switch delay + its wire time).
  run.setDeadline(Math.max(leaves, run.sentAt + run.timing.baudSwitchMs) + wireTimeMs(bytes.length, run.baud));
}

export function modeEByte(run: Session, st: ModeEState, b: number, now: number): void {
  if (st.ack.length === 0 && b !== ACK) return;
  st.ack.push(b);
  if (b === LF) {
    const text = latin1(Uint8Array.from(st.ack));
    st.ack = [];
    if (text === st.option) {
      run.trace('mode E acknowledged by the meter');
      return modeESwitch(run, st, now);
    }
  } else if (st.ack.length > MAX_ACK_BYTES) st.ack = [];
}

export function modeEDeadline(run: Session, st: ModeEState, now: number): void {
  if (st.ack.length > 0 && !st.extended) {
    // An acknowledgement is arriving: give it the rest of its wire time, once.
    st.extended = true;
    run.setDeadline(now + wireTimeMs(st.option.length, run.baud));
    return;
  }
  modeESwitch(run, st, now);
}

function modeESwitch(run: Session, st: ModeEState, now: number): void {
  run.become({ kind: 'modeESwitch' });
  run.clearDeadline();
  if (!run.o.fixedBaud) run.baud = st.target;
  run.setLine(run.baud, now, true);
}

export function handOver(run: Session, _st: ModeESwitchState, _now: number): void {
  run.emit({ type: 'handover', baudRate: run.baud, line: run.lineFor(run.baud, true) });
  run.finish();
}
