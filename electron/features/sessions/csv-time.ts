/**
 * Times in CSV files as spreadsheets read them: `YYYY-MM-DD hh:mm:ss`, which Excel and LibreOffice
 * take as a date-time in English and French settings alike (an ISO time with `T` and `Z` stays
 * text in French Excel). PC times are written in the PC's local time; meter times as the meter
 * gave them (its own wall clock).
 */
import type { Reading } from '../../../shared/types';

const pad = (n: number) => String(n).padStart(2, '0');

/** A PC time (ISO with zone) as local `YYYY-MM-DD hh:mm:ss`; other text is kept as it is. */
export function pcTimeCell(iso: string | undefined): string | undefined {
  if (!iso) return iso;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(iso)) return iso;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * A meter wall time (`2026-12-03T03:18:41`, with or without fraction) with a space for the `T`.
 * A UTC offset after it (a profile row's time, `…+01:00`) is left out: the wall time is the
 * meter's, and the profile keeps its deviation in a column of its own.
 */
export function meterTimeCell(text: string | undefined): string | undefined {
  if (!text) return text;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(?:[+-]\d{2}:\d{2})?$/.exec(text);
  return m ? `${m[1]} ${m[2]}${m[2]!.length === 5 ? ':00' : ''}` : text;
}

/**
 * The meter's date and time as the session states them: the readout's 0.9.2 (date, `YYMMDD` or
 * `YY-MM-DD`, a leading century digit allowed) with 0.9.1 (time, `hhmmss` or `hh:mm:ss`), or the
 * DLMS clock (0-0:1.0.0). Undefined when the session has neither.
 */
export function sessionMeterTime(readings: readonly Reading[]): string | undefined {
  const find = (re: RegExp) => readings.find((r) => re.test(r.obis) || re.test(r.address));
  const time = find(/^(?:\d+-\d+:)?0\.9\.1(?:\*\d+)?$/);
  const date = find(/^(?:\d+-\d+:)?0\.9\.2(?:\*\d+)?$/);
  if (time && date) {
    const t = time.value.replace(/\D/g, '');
    const d = date.value.replace(/\D/g, '').slice(-6);
    if (t.length >= 6 && d.length === 6) {
      const [hh, mm, ss] = [t.slice(0, 2), t.slice(2, 4), t.slice(4, 6)];
      const [yy, mo, dd] = [d.slice(0, 2), d.slice(2, 4), d.slice(4, 6)];
      if (+mo >= 1 && +mo <= 12 && +dd >= 1 && +dd <= 31 && +hh < 24 && +mm < 60 && +ss < 60) return `20${yy}-${mo}-${dd} ${hh}:${mm}:${ss}`;
    }
  }
  const clock = readings.find((r) => r.obis === '0-0:1.0.0*255');
  const c = meterTimeCell(clock?.value);
  return c && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(c) ? c : undefined;
}
