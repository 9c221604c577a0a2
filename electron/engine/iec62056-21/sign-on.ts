/**
 * Sign-on: request, identification, option select and baud switch, and the fallback to 300 baud
 * when the meter ignores the switch. States: ident, switching, fallbackSwitch, drain.
 */
import { OmrError } from '../../../shared/errors';
import type { MeterIdentity } from '../../../shared/types';
import { EOT, ETX, LF, MODE_C_BAUD, encodeOptionSelect, encodeRequest, latin1, modeCCharFor, parseIdentification, visible } from './codec';
import { startModeE } from './mode-e';
import { DRAIN_CAP_MS, MAX_IDENT_BYTES, wireTimeMs } from './options';
import type { Session } from './session';
import { newAssembly, type DrainState, type FallbackSwitchState, type IdentState, type SwitchingState } from './states';

const SLASH = 0x2f;

/** Send the request (the attempt-th) and wait for the identification. */
export function sendRequest(run: Session, attempt: number, now: number): void {
  run.become({ kind: 'ident', attempt, buf: [], started: false, nonEcho: 0, noise: 0 });
  const summary = attempt > 1 ? `${run.requestText} (attempt ${attempt})` : run.requestText;
  const leaves = run.send(encodeRequest(run.o.address ?? ''), summary, now);
  run.setDeadline(leaves + run.timing.reactionMaxMs);
}

// --- ident ----------------------------------------------------------------------------------------

export function identByte(run: Session, st: IdentState, b: number, now: number): void {
  st.nonEcho++;
  if (!st.started) {
    if (b === SLASH) {
      st.started = true;
      st.buf = [b];
      run.setDeadline(now + run.timing.interCharMaxMs);
    } else st.noise++;
    return;
  }
  if (b === SLASH) {
    // A new `/`: what came before was noise.
    st.noise += st.buf.length;
    st.buf = [b];
  } else st.buf.push(b);
  run.setDeadline(now + run.timing.interCharMaxMs);
  if (b === LF) return identLine(run, st, now);
  if (st.buf.length > MAX_IDENT_BYTES) {
    st.noise += st.buf.length;
    st.buf = [];
    st.started = false;
  }
}

function identLine(run: Session, st: IdentState, now: number): void {
  const text = latin1(Uint8Array.from(st.buf)).replace(/\r?\n$/, '');
  st.buf = [];
  st.started = false;
  if (text === run.requestText) {
    // Our own request, heard back after some noise.
    run.echoSeen++;
    st.nonEcho = 0;
    run.trace('echo of the request');
    return;
  }
  let identity: MeterIdentity;
  try {
    identity = parseIdentification(text);
  } catch (e) {
    const err = e instanceof OmrError ? e : new OmrError('GARBLED', String(e));
    run.trace(`not an identification: ${visible(text)}`);
    if (st.attempt < run.o.requestAttempts) return sendRequest(run, st.attempt + 1, now);
    return run.fail(err);
  }
  run.trace(`identification ${identity.raw}`);
  run.checkParity('the identification');
  run.emit({ type: 'identity', identity });
  run.meterFamily(identity.manufacturer);
  afterIdentification(run, identity, now);
}

export function identDeadline(run: Session, st: IdentState, now: number): void {
  const again = st.attempt < run.o.requestAttempts;
  if (again) return sendRequest(run, st.attempt + 1, now);
  if (st.started) return run.fail(new OmrError('TIMEOUT_INTERCHAR', `identification cut off after ${st.buf.length} bytes`));
  if (st.nonEcho === 0) {
    if (run.echoSeen > 0) return run.fail(new OmrError('ECHO_ONLY', `only the echo of the request came back (${st.attempt} request(s))`));
    return run.fail(new OmrError('NO_ECHO_NO_ANSWER', `${st.attempt} request(s), no byte received`));
  }
  return run.fail(new OmrError('GARBLED', `${st.noise} byte(s) received, no identification`));
}

/** Go on as the purpose and the protocol mode the meter announced ask. */
function afterIdentification(run: Session, id: MeterIdentity, now: number): void {
  const { purpose } = run.o;
  if (purpose === 'identify') return run.finish();
  if (purpose === 'modeE') {
    if (!id.modeE) return run.fail(new OmrError('MODE_NOT_OFFERED', `the meter does not announce mode E (identification ${id.raw})`));
    return startModeE(run, id, now);
  }
  if (purpose === 'programming' && id.mode !== 'C') {
    return run.fail(new OmrError('MODE_NOT_OFFERED', `programming mode needs protocol mode C; the meter announces mode ${id.mode}`));
  }
  if (id.mode === 'A') {
    // The meter sends its data at once, at 300 baud.
    run.become({ kind: 'data', msg: newAssembly(), afterSwitch: false });
    run.setDeadline(now + run.timing.reactionMaxMs + wireTimeMs(1, run.baud));
    return;
  }
  if (id.mode === 'B') {
    // The meter switches by itself to the announced rate; follow it (unless the probe does).
    if (run.o.fixedBaud || run.fellBack || id.maxBaud === run.baud) {
      run.become({ kind: 'data', msg: newAssembly(), afterSwitch: false });
      run.setDeadline(now + run.timing.reactionMaxMs);
      return;
    }
    return switchTo(run, id.maxBaud, now);
  }
  // Mode C: option select.
  const target = run.fellBack ? 300 : Math.min(id.maxBaud, run.o.maxBaud);
  const baudChar = modeCCharFor(target);
  const mode = purpose === 'programming' ? '1' : '0';
  const bytes = encodeOptionSelect({ protocol: '0', baudChar, mode });
  const leaves = run.send(bytes, `ACK 0${baudChar}${mode} (${purpose === 'programming' ? 'programming' : 'readout'} at ${MODE_C_BAUD[baudChar]} baud)`, now);
  const newBaud = MODE_C_BAUD[baudChar]!;
  if (run.o.fixedBaud || newBaud === run.baud) {
    run.become(
      purpose === 'programming' ? { kind: 'progP0', msg: newAssembly(), afterSwitch: false } : { kind: 'data', msg: newAssembly(), afterSwitch: false },
    );
    run.setDeadline(leaves + run.timing.reactionMaxMs);
    return;
  }
  // The pause before the speed change counts from the start of the option select; it never runs
  // past half the meter's shortest reaction after the option select has left, so a meter with the
  // reduced reaction time (20 ms) does not answer at the new speed while we still listen at the old.
  switchTo(run, newBaud, Math.max(leaves, Math.min(run.sentAt + run.timing.baudSwitchMs, leaves + run.reactionHoldMs() / 2)));
}

// --- switching ------------------------------------------------------------------------------------

function switchTo(run: Session, baud: number, notBefore: number): void {
  run.become({ kind: 'switching', next: run.o.purpose === 'programming' ? 'progP0' : 'data' });
  run.baud = baud;
  run.clearDeadline();
  run.setLine(baud, notBefore);
}

export function switched(run: Session, st: SwitchingState, now: number): void {
  run.emit({ type: 'baud', baudRate: run.baud });
  run.become({ kind: st.next, msg: newAssembly(), afterSwitch: true });
  run.setDeadline(now + run.timing.reactionMaxMs);
}

// --- fallback -------------------------------------------------------------------------------------

/** The meter did not take the proposed speed: back to 300 baud, and sign on again without a switch. */
export function fallBack(run: Session, why: string, now: number): void {
  run.fellBack = true;
  run.warn('BAUD_NOT_ACCEPTED', `${why}: the meter did not take the proposed ${run.baud} baud; reading again at 300 baud without a switch`);
  run.become({ kind: 'fallbackSwitch' });
  run.baud = 300;
  run.clearDeadline();
  run.setLine(300, now);
}

export function fellBack(run: Session, _st: FallbackSwitchState, now: number): void {
  run.emit({ type: 'baud', baudRate: run.baud });
  run.become({ kind: 'drain', tail: [], cap: now + DRAIN_CAP_MS });
  run.setDeadline(now + run.timing.interCharMaxMs);
}

// --- drain ----------------------------------------------------------------------------------------

export function drainByte(run: Session, st: DrainState, b: number, now: number): void {
  // A meter that ignored the switch may still be sending its readout at 300 baud: let it end.
  st.tail.push(b);
  if (st.tail.length > 4) st.tail.shift();
  const n = st.tail.length;
  if (n >= 2 && (st.tail[n - 2] === ETX || st.tail[n - 2] === EOT)) return sendRequest(run, 1, now);
  run.setDeadline(Math.min(st.cap, now + run.timing.interCharMaxMs));
}

export function drainDeadline(run: Session, _st: DrainState, now: number): void {
  sendRequest(run, 1, now);
}
