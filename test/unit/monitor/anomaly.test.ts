/**
 * The anomaly rules of monitoring mode: each rule, hysteresis (exactly one anomaly per crossing),
 * a missing phase (one anomaly, not a voltage one too), energy going backwards against the
 * previous poll, clock drift from a readout's time and date, and the values taken from readings.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MONITOR_RULES, MonitorRulesSchema, type MonitorValues } from '../../../shared/monitor';
import { SettingsSchema } from '../../../shared/settings';
import type { Reading } from '../../../shared/types';
import { AnomalyDetector, extractValues, numText, readoutClockMs, thousandths } from '../../../electron/features/monitor/anomaly';

const NORMAL: MonitorValues = {
  U1: '230.1',
  U2: '229.8',
  U3: '231.0',
  I1: '5.00',
  I2: '3.20',
  I3: '1.10',
  P: '01.820',
  F: '50.00',
  PF: '0.950',
  Eimp: '012345.678',
  Eexp: '000100.000',
  drift: '0',
};

/** Feed a series of polls; return the anomalies of each. */
function run(series: MonitorValues[], rules = DEFAULT_MONITOR_RULES) {
  const d = new AnomalyDetector(rules);
  return series.map((v, i) => d.check({ ...NORMAL, ...v }, `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`));
}

describe('anomaly rules', () => {
  it('has sensible defaults, and the settings schema takes rules additively', () => {
    expect(DEFAULT_MONITOR_RULES).toMatchObject({
      voltage: { enabled: true, nominalV: 230, tolerancePct: 10 },
      phaseMissing: { belowV: 50 },
      frequency: { minHz: 49.5, maxHz: 50.5 },
      export: { expected: false },
      clockDrift: { maxS: 60 },
    });
    expect(SettingsSchema.parse({}).monitor).toBeUndefined();
    expect(SettingsSchema.parse({ monitor: { current: { maxA: 32 } } }).monitor?.current.maxA).toBe(32);
    expect(() => MonitorRulesSchema.parse({ voltage: { tolerancePct: 'ten' } })).toThrow();
  });

  it('normal values give nothing', () => {
    expect(run([{}, {}, {}]).flat()).toEqual([]);
  });

  it('voltage: one anomaly per crossing, per phase and side, with the threshold', () => {
    const out = run([{}, { U1: '260.0' }, { U1: '262.5' }, { U1: '255.0' }, { U1: '230.0' }, { U1: '254.0' }, { U2: '200.0' }, { U1: '230.0', U2: '190.0' }]);
    expect(out.map((a) => a.length)).toEqual([0, 1, 0, 0, 0, 1, 1, 0]);
    expect(out[1]![0]).toMatchObject({ rule: 'voltage', channel: 'L1', quantity: 'U1', value: '260.0', threshold: '253', side: 'above', unit: 'V' });
    expect(out[6]![0]).toMatchObject({ rule: 'voltage', channel: 'L2', value: '200.0', threshold: '207', side: 'below' });
    // Exactly at the limit is inside.
    expect(run([{ U3: '253' }, { U3: '207' }]).flat()).toEqual([]);
  });

  it('a missing phase is one phase-missing anomaly, not a voltage one too', () => {
    const out = run([{}, { U3: '0.0' }, { U3: '0.0' }, { U3: '230.0' }, { U3: '12.0' }]);
    expect(out.map((a) => a.map((x) => x.rule))).toEqual([[], ['phaseMissing'], [], [], ['phaseMissing']]);
    expect(out[1]![0]).toMatchObject({ channel: 'L3', value: '0.0', threshold: '50', side: 'below' });
    // A sag that then becomes a lost phase: the sag once, the loss once; back up: nothing more.
    const sag = run([{ U1: '180.0' }, { U1: '0.0' }, { U1: '180.0' }, { U1: '230.0' }]);
    expect(sag.map((a) => a.map((x) => x.rule))).toEqual([['voltage'], ['phaseMissing'], [], []]);
  });

  it('current, frequency, power factor, export', () => {
    const out = run([
      { I2: '61.00' },
      { I2: '70.00' },
      { F: '49.40' },
      { F: '50.60', PF: '0.700' },
      { PF: '-0.650' },
      { PF: '0.900', Pexp: '00.150' },
      { Pexp: '00.000' },
      { Pexp: '00.010' },
    ]);
    expect(out.map((a) => a.map((x) => `${x.rule}:${x.side}`))).toEqual([
      ['current:above'],
      [],
      ['frequency:below'],
      ['frequency:above', 'powerFactor:below'],
      [],
      ['export:above'],
      [],
      ['export:above'],
    ]);
    expect(out[0]![0]).toMatchObject({ channel: 'L2', threshold: '60', unit: 'A' });
    expect(out[3]![1]).toMatchObject({ value: '0.700', threshold: '0.8' });
    // Export expected: no anomaly.
    const rules = MonitorRulesSchema.parse({ export: { expected: true } });
    expect(run([{ Pexp: '05.000' }], rules).flat()).toEqual([]);
  });

  it('energy going backwards compares with the previous poll that had the register', () => {
    const out = run(
      [{ Eimp: '000100.000' }, { Eimp: '000100.500' }, { Eimp: '000099.000' }, { Eimp: '000098.000' }, {}, { Eimp: '000098.500' }, { Eimp: '000097.000' }].map(
        (v, i) => (i === 4 ? { ...v, Eimp: undefined } : v),
      ) as MonitorValues[],
    );
    expect(out.map((a) => a.length)).toEqual([0, 0, 1, 0, 0, 0, 1]);
    expect(out[2]![0]).toMatchObject({ rule: 'energyBackwards', channel: '1.8.0', value: '000099.000', threshold: '000100.500', side: 'below', unit: 'kWh' });
  });

  it('a poll without a value keeps the state (no new anomaly after a gap)', () => {
    const d = new AnomalyDetector(DEFAULT_MONITOR_RULES);
    expect(d.check({ ...NORMAL, F: '51.00' }, 't1')).toHaveLength(1);
    expect(d.check({ U1: '230.0' }, 't2')).toHaveLength(0);
    expect(d.check({ ...NORMAL, F: '51.00' }, 't3')).toHaveLength(0);
    expect(d.activeKeys).toEqual(['frequency||above']);
  });

  it('clock drift above the limit, either way', () => {
    const out = run([{ drift: '30' }, { drift: '61' }, { drift: '90' }, { drift: '0' }, { drift: '-75' }]);
    expect(out.map((a) => a.map((x) => `${x.value}:${x.threshold}:${x.side}`))).toEqual([[], ['61:60:above'], [], [], ['-75:-60:below']]);
  });

  it('a rule turned off says nothing', () => {
    const rules = MonitorRulesSchema.parse({ voltage: { enabled: false }, phaseMissing: { enabled: false } });
    expect(run([{ U1: '300.0' }, { U2: '0.0' }], rules).flat()).toEqual([]);
  });

  it('threshold text has no float noise', () => {
    expect(numText((230 * 110) / 100)).toBe('253');
    expect(numText(230 * 1.1)).toBe('253');
    expect(numText(49.5)).toBe('49.5');
  });
});

describe('values of a poll', () => {
  const r = (obis: string, address: string, value: string, extra: Partial<Reading> = {}): Reading => ({
    obis,
    address,
    value,
    unit: '',
    readAt: '2026-03-01T12:00:05.400Z',
    source: 'readout',
    ...extra,
  });
  const readings = [
    r('1-0:0.9.1*255', '0.9.1', '12:00:35'),
    r('1-0:0.9.2*255', '0.9.2', '26-03-01'),
    r('1-0:1.8.0*255', '1.8.0', '012345.678'),
    r('1-0:1.8.0*1', '1.8.0*01', '011111.111', { history: '01' }),
    r('1-0:32.7.0*255', '32.7.0', '231.4'),
    r('1-0:31.7.0*255', '31.7.0', '004.12'),
    r('1-0:14.7.0*255', '14.7.0', '50.01'),
    r('1-0:13.7.0*255', '13.7.0', '0.953'),
  ];

  it('takes the monitored quantities (no history) and the drift of the readout clock', () => {
    expect(extractValues(readings, { plan: 'instantaneous', meterClock: 'utc' })).toEqual({
      drift: '30',
      Eimp: '012345.678',
      U1: '231.4',
      I1: '004.12',
      F: '50.01',
      PF: '0.953',
    });
    expect(extractValues(readings, { plan: 'registers', meterClock: 'utc' })).toEqual({ Eimp: '012345.678', drift: '30' });
    // A DLMS clock gives its drift directly.
    expect(extractValues(readings, { plan: 'registers', meterClock: 'utc', driftS: -4 }).drift).toBe('-4');
  });

  it('records power and energy in kW and kWh whatever the meter gave (DLMS: W, Wh), exactly', () => {
    const dlms = [
      r('1-0:1.7.0*255', '1-0:1.7.0*255', '730', { unit: 'W', source: 'dlms' }),
      r('1-0:1.8.0*255', '1-0:1.8.0*255', '27598071', { unit: 'Wh', source: 'dlms' }),
      r('1-0:32.7.0*255', '1-0:32.7.0*255', '229', { unit: 'V', source: 'dlms' }),
    ];
    expect(extractValues(dlms, { plan: 'instantaneous', meterClock: 'utc' })).toEqual({ P: '0.73', Eimp: '27598.071', U1: '229' });
    expect(['0', '5', '1000', '-12.5', '0.001', '123456789.123'].map(thousandths)).toEqual(['0', '0.005', '1', '-0.0125', '0.000001', '123456.789123']);
  });

  it('reads the readout clock in its usual spellings', () => {
    expect(readoutClockMs('12:00:35', '26-03-01', 'utc')).toBe(Date.UTC(2026, 2, 1, 12, 0, 35));
    expect(readoutClockMs('120035', '260301', 'utc')).toBe(Date.UTC(2026, 2, 1, 12, 0, 35));
    expect(readoutClockMs('120035', '1260301', 'utc')).toBe(Date.UTC(2026, 2, 1, 12, 0, 35));
    expect(readoutClockMs('12:00:35', '26-03-01', 'local')).toBe(new Date(2026, 2, 1, 12, 0, 35).getTime());
    expect(readoutClockMs('25:00:00', '26-03-01', 'utc')).toBeUndefined();
    expect(readoutClockMs('12:00', '26-03-01', 'utc')).toBeUndefined();
  });
});
