/**
 * Domain types both sides use. Everything here is plain data: it crosses IPC, WebSocket and the
 * session journal as is (no classes, no Buffers: hex strings; times as ISO strings).
 */
import type { ErrorInfo } from './errors';

/** What the meter said in its identification line `/XXXZ\WIdent`. */
export interface MeterIdentity {
  /** Three-letter manufacturer flag, e.g. `LGZ`, kept with its case. */
  manufacturer: string;
  /** The baud character as sent (`0`..`6` mode C/E, `A`..`I` mode B, other: mode A). */
  baudChar: string;
  /** Highest baud rate the meter offers (300 when it offers no switch). */
  maxBaud: number;
  /** Protocol mode implied by the baud character: A, B or C (C also for E capable meters). */
  mode: 'A' | 'B' | 'C';
  /** The enhanced capability `\W` character when present (`2` = mode E), else undefined. */
  enhanced?: string;
  /** The meter announces mode E (HDLC / DLMS on the optical port). */
  modeE: boolean;
  /** Lower-case third letter of the manufacturer flag: the meter accepts a 20 ms reaction time. */
  reducedReactionTime: boolean;
  /** The identification text after the baud character (and after `\W`). */
  ident: string;
  /** The whole identification line byte for byte (latin1), without CR LF. */
  raw: string;
}

export type ReadingSource = 'readout' | 'programming' | 'dlms';

/** One value read from the meter. Numbers stay exact: `value` keeps the decimal text. */
export interface Reading {
  /** Normalised logical name `A-B:C.D.E*F`; for codes that have no OBIS form, the address. */
  obis: string;
  /** The meter's own spelling of the address (`1.8.0`, `F.F`, `1-0:1.8.0*255`). */
  address: string;
  /** Exact value text: decimal text for numbers (scaler applied), or the text value. */
  value: string;
  /** Unit as shown (`kWh`, `V`); empty when none. */
  unit: string;
  /** History suffix of a readout address (`*12` → `12`). */
  history?: string;
  /** Further values on the same line (`address(v1)(v2)`), in order after `value`. */
  extra?: string[];
  /** DLMS: the scaler that was applied (value = raw × 10^scaler). */
  scaler?: number;
  /** DLMS: the raw value before the scaler. */
  raw?: string;
  /** Meter time attached to the value (capture time, or the timestamp group of a readout line). */
  captureTime?: string;
  /** PC time when the value was received (ISO). */
  readAt: string;
  source: ReadingSource;
  /**
   * `false` when the message that carried the value failed its checksum (BCC) or was cut off
   * before its end: the value is kept, but nothing proves it arrived intact. Absent: verified.
   */
  verified?: boolean;
}

/**
 * A register the meter answered with its own error code instead of a value (programming mode:
 * `R1 1.8.0()` → `(ER12)`). Never a reading: the code is not a value.
 */
export interface RegisterError {
  /** The address asked for, as sent in R1. */
  address: string;
  /** Its logical name when it has one (`1-0:1.8.0*255`), else the address. */
  obis: string;
  /** The meter's code as sent (`ER12`). */
  meterCode: string;
  /** PC time of the answer (ISO). */
  at: string;
}

export interface PortInfo {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  /** Stable path such as /dev/serial/by-id/usb-FTDI_..., when known. */
  byId?: string;
  /** The kernel driver bound to the adapter (Linux), e.g. ftdi_sio. */
  driver?: string;
  /** Looks like an optical head (known USB-serial chip or head maker). */
  opticalHead: boolean;
  /** The head or chip it was recognised as. */
  headName?: string;
  /** `virtual` is the built-in demo meter. */
  kind: 'serial' | 'virtual';
}

export type Direction = 'tx' | 'rx' | 'info';

export interface TraceEntry {
  /** PC time, ISO. */
  t: string;
  dir: Direction;
  /** Bytes as lower-case hex; secrets are replaced by `**` before they get here. */
  hex: string;
  /** Decoded summary (`/LGZ5\2ZMF100AC.d2`, `I-frame N(S)=0`); secrets redacted. */
  summary: string;
}

/** One frame or line of a trace, explained (`trace:explain`). */
export interface TraceExplanation {
  /** Outermost layer first, one line each: `HDLC: I-frame … · GET.response: …`. */
  summary: string;
  /** Every layer checked and whole. */
  ok: boolean;
  /** What is wrong (the first failed layer's verdict). */
  problem?: string;
  /** The whole explanation, indented text, one field a line. */
  text: string;
}

export interface AppInfo {
  name: string;
  version: string;
  platform: string;
  electron?: string;
  node: string;
  /** Where settings and sessions are stored. */
  dataDir: string;
}

/** Progress of a long operation, for progress bars. */
export interface Progress {
  operationId: string;
  /** What is being done now (`Reading 1.8.0`). */
  label: string;
  done: number;
  /** Total when known; undefined when only a count of bytes or items is known. */
  total?: number;
  bytes?: number;
  /** Load profile rows received so far (with those kept from an earlier read of the range). */
  rows?: number;
  /** Load profile rows the range should hold (its length over the capture period): an estimate. */
  rowsExpected?: number;
}

export interface SessionSummary {
  id: string;
  createdAt: string;
  updatedAt: string;
  name: string;
  /** The port or address that was read (`virtual:e450`, `/dev/ttyUSB0`, `tcp://…`). */
  target?: string;
  location?: string;
  note?: string;
  identity?: MeterIdentity;
  readingCount: number;
  errorCount: number;
  /** Load profile rows saved (every interval received, also when the read was cut short). */
  profileRowCount?: number;
  /** Meter events saved (event logs). */
  eventCount?: number;
  /** Monitoring sessions: polls done and anomalies seen. */
  pollCount?: number;
  anomalyCount?: number;
  /** Customer-port sessions: frames and telegrams heard. */
  pushCount?: number;
  state: 'open' | 'done' | 'failed' | 'cancelled' | 'interrupted';
}

export interface ResultWithErrors<T> {
  value: T;
  errors: ErrorInfo[];
}
