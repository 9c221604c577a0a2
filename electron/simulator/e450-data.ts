/**
 * A realistic, deterministic data set for the virtual Landis+Gyr E450: the IEC 62056-21 readout
 * list (and the values the programming mode reads). Every value is a function of a seed and of
 * the time, so two runs with the same seed and clock give the same bytes, and energy registers
 * grow with time as on a real meter.
 *
 * Identification: the E450 announces mode E (`\2`, as E450s do on their optical port) and 9600 baud (`5`). Its
 * exact type string could not be verified from a public capture (none was found); the default
 * follows the Landis+Gyr pattern documented in the E350 user manuals (`/LGZ0ZMF100AC.MXX`:
 * type designation then firmware) and can be overridden.
 */
import type { DataLine } from '../engine/iec62056-21/readout';

export interface E450DataOptions {
  /** Seed of every generated value (default 1). */
  seed?: number;
  /** Time (ms) the meter's counters are anchored to (default 2024-01-01T00:00:00Z). */
  start?: number;
  /** Serial number (8 digits), default derived from the seed. */
  serial?: string;
  /** Billing-period history entries per energy register (default 2; large for benchmarks). */
  historyEntries?: number;
  /** Length of a billing period of the history: a month (default) or a day (long histories). */
  historyPeriod?: 'month' | 'day';
  /** Identification parts (default `/LGZ5\2ZMF100AC.d2`). */
  identification?: { manufacturer: string; baudChar: string; enhanced?: string; ident: string };
  /**
   * Tests and demos: replace readout values over time. Called with the time of each readout, it
   * returns `address → value` (or `value*unit`); an address the readout does not have is added
   * at the end. Without it the readout is unchanged.
   */
  overrides?: (now: number) => Record<string, string> | undefined;
}

export interface E450Energy {
  importWh: number;
  importT1Wh: number;
  importT2Wh: number;
  exportWh: number;
  exportT1Wh: number;
  exportT2Wh: number;
  reactiveImportVarh: number;
  reactiveExportVarh: number;
}

export interface E450Phase {
  decivolts: number;
  centiamps: number;
  powerFactorMilli: number;
  watts: number;
}

export interface E450Instantaneous {
  phases: E450Phase[];
  importW: number;
  exportW: number;
  centihertz: number;
  powerFactorMilli: number;
}

export const E450_DEFAULT_IDENTIFICATION = { manufacturer: 'LGZ', baudChar: '5', enhanced: '2', ident: 'ZMF100AC.d2' } as const;

/** mulberry32: a small deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');
/** An integer count of thousandths → `000123.456` (int digits padded to `w`). */
const milli = (n: number, w = 6) => `${pad(Math.floor(n / 1000), w)}.${pad(n % 1000, 3)}`;
const tenths = (n: number, w = 3) => `${pad(Math.floor(n / 10), w)}.${n % 10}`;
const hundredths = (n: number, w = 3) => `${pad(Math.floor(n / 100), w)}.${pad(n % 100, 2)}`;

export class E450Data {
  readonly seed: number;
  readonly start: number;
  readonly serial: string;
  readonly historyEntries: number;
  readonly historyPeriod: 'month' | 'day';
  readonly identification: { manufacturer: string; baudChar: string; enhanced?: string; ident: string };
  /** Active firmware identifier (IEC `0.2.0`, DLMS 1-0:0.2.0.255). */
  readonly firmware = 'B31';
  private readonly baseImportWh: number;
  private readonly baseExportWh: number;
  private readonly avgImportW: number;
  private readonly avgExportW: number;
  private readonly overrides: ((now: number) => Record<string, string> | undefined) | undefined;

  constructor(o: E450DataOptions = {}) {
    this.seed = o.seed ?? 1;
    this.start = o.start ?? Date.UTC(2024, 0, 1);
    const r = rng(this.seed);
    this.serial = o.serial ?? pad(Math.floor(r() * 1e8), 8);
    this.historyEntries = o.historyEntries ?? 2;
    this.historyPeriod = o.historyPeriod ?? 'month';
    this.identification = o.identification ?? { ...E450_DEFAULT_IDENTIFICATION };
    this.baseImportWh = 5_000_000 + Math.floor(r() * 20_000_000);
    this.baseExportWh = Math.floor(r() * 2_000_000);
    this.avgImportW = 300 + Math.floor(r() * 600);
    this.avgExportW = 50 + Math.floor(r() * 150);
    this.overrides = o.overrides;
  }

  /** Active energy import (Wh) at time t: a daily curve around the average power, never decreasing. */
  importWh(t: number): number {
    const h = (t - this.start) / 3_600_000;
    const e = this.avgImportW * (h + ((0.5 * 24) / (2 * Math.PI)) * (1 - Math.cos((2 * Math.PI * h) / 24)));
    return Math.max(0, Math.floor(this.baseImportWh + e));
  }

  exportWh(t: number): number {
    const h = (t - this.start) / 3_600_000;
    return Math.max(0, Math.floor(this.baseExportWh + this.avgExportW * h));
  }

  /**
   * The energy registers at time t in Wh / varh (the DLMS registers hold exactly these numbers,
   * scaler 0; the IEC readout shows them in kWh with three decimals, so both agree to the Wh).
   */
  energy(t: number): E450Energy {
    const imp = this.importWh(t);
    const exp = this.exportWh(t);
    const t1 = Math.floor(imp * 0.62);
    const e1 = Math.floor(exp * 0.8);
    return {
      importWh: imp,
      importT1Wh: t1,
      importT2Wh: imp - t1,
      exportWh: exp,
      exportT1Wh: e1,
      exportT2Wh: exp - e1,
      reactiveImportVarh: Math.floor(imp * 0.21),
      reactiveExportVarh: Math.floor(exp * 0.07),
    };
  }

  /**
   * Instantaneous values at time `now` (deterministic per second), as integers in the units the
   * DLMS registers use: tenths of a volt, hundredths of an ampere, watts, hundredths of a hertz,
   * thousandths of the power factor.
   */
  instantaneous(now: number): E450Instantaneous {
    const r = rng(this.seed * 7919 + Math.floor(now / 1000));
    const phases: E450Phase[] = [];
    let total = 0;
    for (let k = 0; k < 3; k++) {
      const decivolts = 2300 + Math.floor((r() - 0.5) * 80);
      const centiamps = 20 + Math.floor(r() * 600);
      const powerFactorMilli = 900 + Math.floor(r() * 95);
      const watts = Math.round((decivolts * centiamps * powerFactorMilli) / 1_000_000);
      total += watts;
      phases.push({ decivolts, centiamps, powerFactorMilli, watts });
    }
    const centihertz = 5000 + Math.floor((r() - 0.5) * 10);
    const powerFactorMilli = 900 + Math.floor(r() * 99);
    return { phases, importW: total, exportW: 0, centihertz, powerFactorMilli };
  }

  /** The registers of the readout list at time `now`, in readout order. */
  readout(now: number): DataLine[] {
    const lines: DataLine[] = [];
    const v = (address: string, value: string, unit?: string) => lines.push({ address, groups: [unit ? { value, unit } : { value }] });
    const d = new Date(now);
    const en = this.energy(now);
    v('F.F', '00000000');
    v('C.1.0', this.serial);
    v('0.0.0', this.serial);
    v('0.2.0', this.firmware);
    v('0.9.1', `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`);
    v('0.9.2', `${pad(d.getUTCFullYear() % 100, 2)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`);
    v('1.8.0', milli(en.importWh), 'kWh');
    v('1.8.1', milli(en.importT1Wh), 'kWh');
    v('1.8.2', milli(en.importT2Wh), 'kWh');
    v('2.8.0', milli(en.exportWh), 'kWh');
    v('2.8.1', milli(en.exportT1Wh), 'kWh');
    v('2.8.2', milli(en.exportT2Wh), 'kWh');
    v('3.8.0', milli(en.reactiveImportVarh), 'kvarh');
    v('4.8.0', milli(en.reactiveExportVarh), 'kvarh');
    // Instantaneous values: deterministic per second.
    const inst = this.instantaneous(now);
    const codes = [
      ['32.7.0', '31.7.0', '21.7.0'],
      ['52.7.0', '51.7.0', '41.7.0'],
      ['72.7.0', '71.7.0', '61.7.0'],
    ] as const;
    inst.phases.forEach((ph, k) => {
      const [u, i, p] = codes[k]!;
      lines.push({ address: u, groups: [{ value: tenths(ph.decivolts), unit: 'V' }] });
      lines.push({ address: i, groups: [{ value: hundredths(ph.centiamps), unit: 'A' }] });
      lines.push({ address: p, groups: [{ value: milli(ph.watts, 2), unit: 'kW' }] });
    });
    v('1.7.0', milli(inst.importW, 2), 'kW');
    v('14.7.0', hundredths(inst.centihertz, 2), 'Hz');
    v('13.7.0', `0.${pad(inst.powerFactorMilli, 3)}`);
    // Billing-period history: timestamp of the reset, then the energy registers at that time.
    for (let k = 1; k <= this.historyEntries; k++) {
      const at = this.periodEnd(now, k);
      const ad = new Date(at);
      const sfx = `*${pad(k, 2)}`;
      const ai = this.importWh(at);
      v(`0.1.2${sfx}`, `${pad(ad.getUTCFullYear() % 100, 2)}-${pad(ad.getUTCMonth() + 1, 2)}-${pad(ad.getUTCDate(), 2)} 00:00`);
      v(`1.8.0${sfx}`, milli(ai), 'kWh');
      v(`1.8.1${sfx}`, milli(Math.floor(ai * 0.62)), 'kWh');
      v(`1.8.2${sfx}`, milli(ai - Math.floor(ai * 0.62)), 'kWh');
      v(`2.8.0${sfx}`, milli(this.exportWh(at)), 'kWh');
    }
    const over = this.overrides?.(now);
    if (over) applyOverrides(lines, over);
    return lines;
  }

  /** The start of the k-th billing period before `now` (UTC midnight). */
  periodEnd(now: number, k: number): number {
    const d = new Date(now);
    if (this.historyPeriod === 'day') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - k + 1);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - k + 1, 1);
  }

  /** One register by its address as a programming-mode R1 would ask (`1.8.0`, `C.1.0`). */
  read(address: string, now: number): DataLine | undefined {
    return this.readout(now).find((l) => l.address === address);
  }
}

/** Replace (or add) readout lines: `value` keeps the line's unit, `value*unit` sets it. */
function applyOverrides(lines: DataLine[], over: Record<string, string>): void {
  for (const [address, text] of Object.entries(over)) {
    const star = text.lastIndexOf('*');
    const value = star >= 0 ? text.slice(0, star) : text;
    const unit = star >= 0 ? text.slice(star + 1) : undefined;
    const line = lines.find((l) => l.address === address);
    if (line) {
      const first = line.groups[0];
      const keep = unit ?? first?.unit;
      line.groups = [keep ? { value, unit: keep } : { value }, ...line.groups.slice(1)];
    } else lines.push({ address, groups: [unit ? { value, unit } : { value }] });
  }
}
