/**
 * The IEC 62056-21 client's states. Each holds only what is valid while the client is in it;
 * what outlives a state (line speed, echo, parity, counters of the whole run) is in session.ts.
 */

/** A message being assembled one byte at a time (STX|SOH … ETX|EOT BCC). */
export interface Assembly {
  buf: number[];
  /** The start character has come. */
  started: boolean;
  /** ETX or EOT has come: the next byte is the BCC. */
  awaitingBcc: boolean;
  /** Bytes that were no part of a message (before its start, or answering nothing). */
  noise: number;
}

export const newAssembly = (): Assembly => ({ buf: [], started: false, awaitingBcc: false, noise: 0 });

/** A programming-mode command sent and not yet answered (repeated on NAK). */
export type Pending =
  { kind: 'P1'; bytes: Uint8Array; summary: string; redact: [number, number][] } | { kind: 'R1'; bytes: Uint8Array; summary: string; address: string };

/** Not started yet. */
export interface NewState {
  kind: 'new';
}

/** The request `/?…!` is out; waiting for the identification line `/XXXZ…`. */
export interface IdentState {
  kind: 'ident';
  /** This request is the attempt-th (from 1). */
  attempt: number;
  /** The identification line so far, from its `/`. */
  buf: number[];
  started: boolean;
  /** Bytes handed here that were not our echo (0: only our echo, or nothing, came back). */
  nonEcho: number;
  noise: number;
}

/** The line is changing to the proposed (mode C) or announced (mode B) speed. */
export interface SwitchingState {
  kind: 'switching';
  /** Where the run goes once the line has changed. */
  next: 'data' | 'progP0';
}

/** Waiting for, or receiving, the data message of a readout. */
export interface DataState {
  kind: 'data';
  msg: Assembly;
  /** The line was just switched: silence or garbage means the meter ignored the switch. */
  afterSwitch: boolean;
  /** Data lines handed over as they arrive, before the BCC (created with the first line). */
  lines?: LineWatch;
}

/**
 * The data lines of a data message handed over so far, unverified. A line that starts with `(`
 * continues the last data set of an earlier line: the lines from `tailFrom` are parsed again and
 * their readings replace the last `tailCount` ones.
 */
export interface LineWatch {
  /** Index in the message buffer where the next line starts. */
  lineStart: number;
  /** Index where the line holding the last data set handed over starts (none yet: undefined). */
  tailFrom: number | undefined;
  /** Readings that line (and its continuations) gave. */
  tailCount: number;
  /** Readings handed over so far. */
  count: number;
}

/** The switch failed: the line goes back to 300 baud. */
export interface FallbackSwitchState {
  kind: 'fallbackSwitch';
}

/** Back at 300 baud: let a meter that still sends its readout end before asking again. */
export interface DrainState {
  kind: 'drain';
  /** The last bytes heard (ETX|EOT followed by one byte ends the wait). */
  tail: number[];
  /** Absolute time after which the client asks again whatever the line does. */
  cap: number;
}

/** Mode E: `ACK 2 Z 2` is out; the meter may acknowledge it with the same bytes. */
export interface ModeEState {
  kind: 'modeE';
  /** The option select sent, as text (what an acknowledgement repeats). */
  option: string;
  /** The speed proposed. */
  target: number;
  /** An acknowledgement being received, from its ACK. */
  ack: number[];
  /** The deadline was extended once for an acknowledgement under way. */
  extended: boolean;
}

/** Mode E: the line is changing to 8N1 at the new speed; the HDLC layer follows. */
export interface ModeESwitchState {
  kind: 'modeESwitch';
}

/** Programming mode selected: waiting for the meter's P0 (operand) message. */
export interface ProgP0State {
  kind: 'progP0';
  msg: Assembly;
  /** As in DataState: the line was just switched. */
  afterSwitch: boolean;
}

/** Programming mode under way: a P1 or R1 is out and waits for its answer. */
export interface ProgState {
  kind: 'prog';
  msg: Assembly;
  pending: Pending;
  /** The index in `reads` of the address being read (or next to read, during P1). */
  readIndex: number;
  /** Text of the partial blocks (ending EOT) of the answer so far. */
  blockText: string;
}

/** Done or failed: every input is ignored. */
export interface FinishedState {
  kind: 'finished';
}

export type IecState =
  | NewState
  | IdentState
  | SwitchingState
  | DataState
  | FallbackSwitchState
  | DrainState
  | ModeEState
  | ModeESwitchState
  | ProgP0State
  | ProgState
  | FinishedState;

export type StateKind = IecState['kind'];
export type StateOf<K extends StateKind> = Extract<IecState, { kind: K }>;
