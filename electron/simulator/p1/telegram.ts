/**
 * The virtual P1 meter's telegrams (DSMR 5 shape): identification, blank line, data lines, `!`
 * and the CRC-16/ARC of `/` … `!`. Values move with time: power follows a slow wave, energy is
 * the integral of power, voltage and current wander, the gas meter reports every 5 minutes.
 * Pure: the time is passed in.
 */
import { crc16arc } from '../../engine/customer-port/p1';

export const P1_IDENTITY = 'OMR5\\2SIM-P1-1';

export interface P1State {
  /** Import energy (Wh) tariff 1 and 2, export (Wh), gas (litres). */
  importWh: [number, number];
  exportWh: [number, number];
  gasL: number;
  lastMs?: number;
}

export function newP1State(): P1State {
  return { importWh: [1234567, 2345678], exportWh: [34567, 45678], gasL: 1234567 };
}

const pad = (n: number, width: number): string => String(Math.trunc(n)).padStart(width, '0');
const fixed = (n: number, int: number, dec: number): string => {
  const [i, d] = Math.abs(n).toFixed(dec).split('.');
  return `${i!.padStart(int, '0')}${dec > 0 ? `.${d}` : ''}`;
};

/** `YYMMDDhhmmssW|S` in Dutch local time (W = winter +01:00, S = summer +02:00). */
export function p1Time(ms: number): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Amsterdam',
    year: '2-digit',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  }).formatToParts(new Date(ms));
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '00';
  const summer = /\+2/.test(get('timeZoneName'));
  return `${get('year')}${get('month')}${get('day')}${get('hour')}${get('minute')}${get('second')}${summer ? 'S' : 'W'}`;
}

/** Advance the registers to `ms` and give the instantaneous values. */
export function stepP1(s: P1State, ms: number): { powerW: number; exportW: number; voltage: number; currentA: number; tariff: 1 | 2 } {
  const phase = (ms / 30000) * 2 * Math.PI;
  const powerW = Math.round(1200 + 800 * Math.sin(phase));
  const exportW = Math.max(0, Math.round(300 * Math.sin(phase / 3)));
  const voltage = 230 + 2 * Math.sin(phase / 7);
  const hour = new Date(ms).getUTCHours();
  const tariff: 1 | 2 = hour >= 6 && hour < 22 ? 2 : 1;
  if (s.lastMs !== undefined && ms > s.lastMs) {
    const h = (ms - s.lastMs) / 3_600_000;
    const i = tariff - 1;
    s.importWh[i] = s.importWh[i]! + powerW * h;
    s.exportWh[i] = s.exportWh[i]! + exportW * h;
    s.gasL += (0.2 * (ms - s.lastMs)) / 1000;
  }
  s.lastMs = ms;
  return { powerW, exportW, voltage, currentA: Math.round(powerW / voltage), tariff };
}

/** One whole telegram at `ms`, CR LF line ends, CRC included. */
export function p1Telegram(s: P1State, ms: number): string {
  const v = stepP1(s, ms);
  const gasAt = Math.floor(ms / 300000) * 300000;
  const lines = [
    `/${P1_IDENTITY}`,
    '',
    '1-3:0.2.8(50)',
    `0-0:1.0.0(${p1Time(ms)})`,
    '0-0:96.1.1(4F4D52303030303030303031)',
    `1-0:1.8.1(${fixed(s.importWh[0] / 1000, 6, 3)}*kWh)`,
    `1-0:1.8.2(${fixed(s.importWh[1] / 1000, 6, 3)}*kWh)`,
    `1-0:2.8.1(${fixed(s.exportWh[0] / 1000, 6, 3)}*kWh)`,
    `1-0:2.8.2(${fixed(s.exportWh[1] / 1000, 6, 3)}*kWh)`,
    `0-0:96.14.0(${pad(v.tariff, 4)})`,
    `1-0:1.7.0(${fixed(v.powerW / 1000, 2, 3)}*kW)`,
    `1-0:2.7.0(${fixed(v.exportW / 1000, 2, 3)}*kW)`,
    `1-0:32.7.0(${fixed(v.voltage, 3, 1)}*V)`,
    `1-0:31.7.0(${pad(v.currentA, 3)}*A)`,
    '0-1:24.1.0(003)',
    `0-1:24.2.1(${p1Time(gasAt)})(${fixed(s.gasL / 1000, 5, 3)}*m3)`,
    '!',
  ];
  const text = lines.join('\r\n');
  return `${text}${crc16arc(text).toString(16).toUpperCase().padStart(4, '0')}\r\n`;
}

export type P1Fault = 'bad-crc' | 'cut-short' | '7e1';
export const P1_FAULTS: readonly P1Fault[] = ['bad-crc', 'cut-short', '7e1'];

/** Even parity in bit 7: what a 7E1 meter puts on the wire, as an 8N1 reader receives it. */
export function withEvenParity(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes, (c) => {
    let ones = 0;
    for (let b = c & 0x7f; b; b >>= 1) ones += b & 1;
    return (c & 0x7f) | (ones % 2 ? 0x80 : 0);
  });
}

/**
 * The bytes of telegram number `n` with the faults applied: `bad-crc` changes one digit under
 * the old CRC and `cut-short` stops halfway, each on every third telegram (n % 3 === 1 and 2);
 * `7e1` sends every character with even parity (a 7E1 meter on an 8N1 line).
 */
export function p1Bytes(telegram: string, n: number, faults: readonly P1Fault[]): Uint8Array {
  let text = telegram;
  if (faults.includes('bad-crc') && n % 3 === 1) {
    const at = text.indexOf('1-0:1.7.0(') + 11;
    text = text.slice(0, at) + (text[at] === '9' ? '0' : String(Number(text[at]) + 1)) + text.slice(at + 1);
  }
  if (faults.includes('cut-short') && n % 3 === 2) text = text.slice(0, Math.floor(text.length / 2));
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  return faults.includes('7e1') ? withEvenParity(bytes) : bytes;
}
