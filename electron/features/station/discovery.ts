/**
 * Home Assistant MQTT discovery: which readings become sensors, their topics, and the config
 * payloads that make the meter appear as a device with energy and power sensors. Pure functions.
 *
 * Only current values are published (no billing-period history `*1`, `*2`), and only numbers.
 * device_class and unit are given only where Home Assistant accepts that pair; otherwise the
 * sensor keeps its unit without a class (Home Assistant then accepts any unit).
 */
import { makerName } from '../../../shared/makers';
import { obisName } from '../../../shared/obis';
import type { MeterIdentity, Reading } from '../../../shared/types';

export interface SensorKind {
  device_class?: string;
  state_class: 'measurement' | 'total_increasing' | 'total';
  unit?: string;
  /** Home Assistant's icon, where the class gives none. */
  icon?: string;
}

/** `1-0:1.8.0*255` → `1-0_1_8_0`; the monitor's clock drift → `clock_drift`. */
export function sensorKey(obis: string): string {
  if (obis === 'omr:drift') return 'clock_drift';
  return obis
    .replace(/^omr:/, '')
    .replace(/\*255$/, '')
    .replace(/[^A-Za-z0-9-]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

/** Exact decimal text without leading zeros (`027598.025` → `27598.025`); undefined for non-numbers. */
export function numericState(value: string): string | undefined {
  const m = /^\s*([+-]?)(\d+)(?:\.(\d+))?\s*$/.exec(value);
  if (!m) return undefined;
  const int = m[2]!.replace(/^0+(?=\d)/, '');
  const sign = m[1] === '-' && !/^0*$/.test(m[2]! + (m[3] ?? '')) ? '-' : '';
  return `${sign}${int}${m[3] !== undefined ? `.${m[3]}` : ''}`;
}

/** A current value (not a history entry, not a date or a text)? */
export function isPublishable(r: Reading): boolean {
  if (r.history !== undefined && r.history !== '') return false;
  if (/\*(?!255$)\d+$/.test(r.obis)) return false;
  // P1: the DSMR version (x-x:0.2.8) and an M-Bus device type (0-n:24.1.0) are numbers, not measurements.
  if (/^\d+-\d+:(0\.2\.8|24\.1\.0)/.test(r.obis)) return false;
  return numericState(r.value) !== undefined && !/^0-0:(96\.1|0\.0|0\.2|97\.97)/.test(r.obis) && !/^1-0:0\.[0-9]\./.test(r.obis);
}

/** The Home Assistant sensor kind of a reading, from its OBIS quantity and unit. */
export function sensorKind(obis: string, unit: string): SensorKind {
  const u = unit.trim();
  // Value group D = 8: a time integral (an energy register); it only grows.
  const cumulative = /^\d+-\d+:\d+\.8\.\d+/.test(obis);
  switch (u) {
    case 'kWh':
    case 'Wh':
    case 'MWh':
      return cumulative ? { device_class: 'energy', state_class: 'total_increasing', unit: u } : { device_class: 'energy', state_class: 'total', unit: u };
    case 'kvarh':
    case 'varh':
      return { state_class: cumulative ? 'total_increasing' : 'total', unit: u, icon: 'mdi:sine-wave' };
    case 'W':
    case 'kW':
      return { device_class: 'power', state_class: 'measurement', unit: u };
    case 'var':
      return { device_class: 'reactive_power', state_class: 'measurement', unit: u };
    case 'VA':
      return { device_class: 'apparent_power', state_class: 'measurement', unit: u };
    case 'V':
      return { device_class: 'voltage', state_class: 'measurement', unit: u };
    case 'A':
      return { device_class: 'current', state_class: 'measurement', unit: u };
    case 'Hz':
      return { device_class: 'frequency', state_class: 'measurement', unit: u };
    case 'm3':
    case 'm³':
      // Gas or water volume (P1 0-n:24.2.1): a meter index that only grows.
      return /^0-\d+:24\.2\./.test(obis) ? { device_class: 'gas', state_class: 'total_increasing', unit: 'm³' } : { state_class: 'measurement', unit: 'm³' };
    case 's':
      return { state_class: 'measurement', unit: u, icon: 'mdi:clock-alert-outline' };
    case '':
      // 13.7.0: the power factor, a number without a unit.
      if (/^\d+-\d+:(13|33|53|73)\.7\./.test(obis)) return { device_class: 'power_factor', state_class: 'measurement' };
      return { state_class: 'measurement' };
    default:
      return { state_class: 'measurement', unit: u };
  }
}

export interface DeviceInfo {
  /** Stable id of the device in Home Assistant (also the topic segment). */
  id: string;
  identity?: MeterIdentity;
  serial?: string;
  version: string;
}

export interface Topics {
  base: string;
  discoveryPrefix: string;
}

export const availabilityTopic = (t: Topics, id: string) => `${t.base}/${id}/availability`;
export const stateTopic = (t: Topics, id: string, key: string) => `${t.base}/${id}/${key}`;
export const pollTopic = (t: Topics, id: string) => `${t.base}/${id}/poll`;
/** Customer-port frames and telegrams (one JSON message each). */
export const pushTopic = (t: Topics, id: string) => `${t.base}/${id}/push`;
export const discoveryTopic = (t: Topics, id: string, key: string) => `${t.discoveryPrefix}/sensor/${id}/${key}/config`;

/** The discovery config of one sensor (JSON, retained). */
export function sensorConfig(t: Topics, device: DeviceInfo, reading: Pick<Reading, 'obis' | 'unit'>): Record<string, unknown> {
  const key = sensorKey(reading.obis);
  const kind = sensorKind(reading.obis, reading.unit);
  const id = device.identity;
  const maker = id ? (makerName(id.manufacturer) ?? id.manufacturer) : undefined;
  const name = reading.obis === 'omr:drift' ? 'Clock drift' : (obisName(reading.obis, 'en') ?? reading.obis);
  return {
    name,
    unique_id: `${device.id}_${key}`,
    object_id: `${device.id}_${key}`,
    state_topic: stateTopic(t, device.id, key),
    availability_topic: availabilityTopic(t, device.id),
    ...(kind.device_class ? { device_class: kind.device_class } : {}),
    state_class: kind.state_class,
    ...(kind.unit ? { unit_of_measurement: kind.unit } : {}),
    ...(kind.icon ? { icon: kind.icon } : {}),
    ...(reading.obis === 'omr:drift' ? { entity_category: 'diagnostic' } : {}),
    device: {
      identifiers: [device.id],
      name: id ? `${maker} ${id.ident}${device.serial ? ` ${device.serial}` : ''}` : `Meter ${device.id}`,
      ...(maker ? { manufacturer: maker } : {}),
      ...(id ? { model: id.ident } : {}),
      ...(device.serial ? { serial_number: device.serial } : {}),
    },
    origin: { name: 'Optical Meter Reader', sw_version: device.version },
  };
}
