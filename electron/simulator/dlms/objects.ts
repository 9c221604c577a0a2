/**
 * The COSEM object model of the virtual E450 (an IDIS-style meter), with every value derived from
 * the same {@link E450Data} as the IEC 62056-21 readout: same serial, same energy registers at the
 * same time (Wh / varh with scaler 0, so `1.8.0(012345.678*kWh)` in the readout is 12345678 Wh
 * here), same instantaneous values (deterministic per second).
 *
 * Objects (logical name, class): logical device name 0-0:42.0.0.255 (1), serial 0-0:96.1.0.255
 * (1), firmware 1-0:0.2.0.255 (1), error register 0-0:97.97.0.255 (1), AMR profile status
 * 0-0:96.10.1.255 (1), event codes 0-0:96.11.0.255 / 0-0:96.11.4.255 (1), invocation counter
 * 0-0:43.1.1.255 (1), security setup 0-0:43.0.0.255 (64), clock 0-0:1.0.0.255 (8), current
 * association 0-0:40.0.0.255 (15), energy and instantaneous registers (3), load profile
 * 1-0:99.1.0.255 (7, 15 min), standard event log 0-0:99.98.0.255 and power-quality event log
 * 0-0:99.98.4.255 (7).
 *
 * Time: the simulated meter keeps UTC (deviation 0, time zone 0), as its IEC readout does
 * (0.9.1/0.9.2 are UTC), so both protocols show the same clock.
 *
 * Profiles are not held in memory: a row is computed from its capture time when it is encoded,
 * and the buffer's A-XDR bytes are produced as the block transfer pulls them.
 */
import { D, type DlmsValue } from '../../engine/dlms/axdr';
import { encodeDateTime } from '../../engine/dlms/datetime';
import type { Obis } from '../../engine/dlms/obis-code';
import type { AccessSelection } from '../../engine/dlms/apdu';
import { AssociationLn, Clock, Data, PROFILE_SELECTOR, ProfileGeneric, Register, SecuritySetup } from '../../engine/cosem/registry';
import type { E450Data } from '../e450-data';
import { lazyArray } from './bytes';
import { DAR } from './dar';
import { DAY, generateEvents, POWER_QUALITY_EVENTS, STANDARD_EVENTS, type MeterEvent } from './event-patterns';
import { CLOCK_COLUMN, CLOCK_LN, selectRows, utcDateTime, type BufferView, type CaptureObject } from './profile-buffer';

/** Who is asking: the three client associations of the simulator. */
export type ClientRole = 'public' | 'reader' | 'management';

/** What the association object reports about the current association. */
export interface AssociationInfo {
  clientSap: number;
  serverSap: number;
  /** Application context name OID (BER bytes). */
  contextOid: Uint8Array;
  /** Authentication mechanism OID (BER bytes), undefined for none. */
  mechanismOid?: Uint8Array;
  conformance: number;
  clientMaxPdu: number;
  serverMaxPdu: number;
  /** 0 non-associated, 1 association-pending, 2 associated. */
  status: number;
  /** The client system title (ciphered contexts). */
  clientSystemTitle?: Uint8Array;
}

export interface ReadContext {
  /** Meter time (ms since the epoch, UTC). */
  now: number;
  role: ClientRole;
  association: AssociationInfo;
}

export type ReadResult =
  | { ok: true; value: DlmsValue }
  /** A large value produced lazily (its A-XDR encoding, chunk by chunk). */
  | { ok: true; lazy: Iterable<Uint8Array> }
  | { ok: false; dar: number };

export interface CosemObject {
  classId: number;
  version: number;
  ln: Obis;
  /** Number of attributes (ids 1..n). */
  attributeCount: number;
  /** Number of methods (ids 1..n). */
  methodCount: number;
  /** Access selectors per attribute id (profile buffers: 1 range, 2 entry). */
  selectors?: Readonly<Record<number, readonly number[]>>;
  /** Readable by the public client (SAP 16). */
  public: boolean;
  /** Attributes nobody may read (e.g. the association's secret). */
  hidden?: readonly number[];
  /** Methods the management client may invoke. */
  methodsAllowed?: readonly number[];
  read(attr: number, ctx: ReadContext, access?: AccessSelection): ReadResult;
}

/** Attribute access modes of the object list (Blue Book, Association LN). */
export const ACCESS = { none: 0, read: 1 } as const;

const obisKey = (o: ArrayLike<number>) => Array.from(o).join('.');
export const lnValue = (o: Obis): DlmsValue => D.octets(Uint8Array.from(o));
const ascii = (s: string) => new TextEncoder().encode(s);

const dtValue = (t: number): DlmsValue => D.dateTime(utcDateTime(t));

// ------------------------------------------------------------------------------- simple classes

function dataObject(ln: Obis, isPublic: boolean, value: (ctx: ReadContext) => DlmsValue): CosemObject {
  return {
    classId: Data.id,
    version: Data.version,
    ln,
    attributeCount: Data.attributeCount,
    methodCount: Data.methodCount,
    public: isPublic,
    read(attr, ctx) {
      if (attr === Data.attr.logical_name) return { ok: true, value: lnValue(ln) };
      if (attr === Data.attr.value) return { ok: true, value: value(ctx) };
      return { ok: false, dar: DAR.objectUndefined };
    },
  };
}

/** Blue Book unit enums used here. */
export const UNIT = { W: 27, var: 29, Wh: 30, varh: 32, A: 33, V: 35, Hz: 44, none: 255 } as const;

function register(ln: Obis, scaler: number, unit: number, value: (ctx: ReadContext) => DlmsValue): CosemObject {
  return {
    classId: Register.id,
    version: Register.version,
    ln,
    attributeCount: Register.attributeCount,
    methodCount: Register.methodCount,
    public: false,
    read(attr, ctx) {
      if (attr === Register.attr.logical_name) return { ok: true, value: lnValue(ln) };
      if (attr === Register.attr.value) return { ok: true, value: value(ctx) };
      if (attr === Register.attr.scaler_unit) return { ok: true, value: D.structure([D.integer(scaler), D.enum(unit)]) };
      return { ok: false, dar: DAR.objectUndefined };
    },
  };
}

// ------------------------------------------------------------------------------------- profiles

const captureValue = (c: CaptureObject): DlmsValue =>
  D.structure([D.longUnsigned(c.classId), lnValue(c.ln), D.integer(c.attribute), D.longUnsigned(c.dataIndex)]);

function profileGeneric(ln: Obis, columns: readonly CaptureObject[], period: number, capacity: number, view: (now: number) => BufferView): CosemObject {
  return {
    classId: ProfileGeneric.id,
    version: ProfileGeneric.version,
    ln,
    attributeCount: ProfileGeneric.attributeCount,
    methodCount: ProfileGeneric.methodCount,
    public: false,
    selectors: { [ProfileGeneric.attr.buffer]: [PROFILE_SELECTOR.range, PROFILE_SELECTOR.entry] },
    read(attr, ctx, access) {
      switch (attr) {
        case ProfileGeneric.attr.logical_name:
          return { ok: true, value: lnValue(ln) };
        case ProfileGeneric.attr.buffer: {
          const v = view(ctx.now);
          const sel = selectRows(v, columns, access);
          if ('dar' in sel) return { ok: false, dar: sel.dar };
          const { from, to, cols } = sel;
          const full = cols.length === columns.length;
          return {
            ok: true,
            lazy: lazyArray(to - from, (k) => {
              const row = v.row(from + k);
              return D.structure(full ? row : cols.map((c) => row[c]!));
            }),
          };
        }
        case ProfileGeneric.attr.capture_objects:
          return { ok: true, value: D.array(columns.map(captureValue)) };
        case ProfileGeneric.attr.capture_period:
          return { ok: true, value: D.doubleLongUnsigned(period) };
        case ProfileGeneric.attr.sort_method:
          return { ok: true, value: D.enum(1) }; // fifo
        case ProfileGeneric.attr.sort_object:
          return { ok: true, value: captureValue(columns[0]!) };
        case ProfileGeneric.attr.entries_in_use:
          return { ok: true, value: D.doubleLongUnsigned(view(ctx.now).count) };
        case ProfileGeneric.attr.profile_entries:
          return { ok: true, value: D.doubleLongUnsigned(capacity) };
        default:
          return { ok: false, dar: DAR.objectUndefined };
      }
    },
  };
}

// ----------------------------------------------------------------------------------- event logs

function eventLog(ln: Obis, codeLn: Obis, capacity: number, events: (now: number) => MeterEvent[]): { object: CosemObject; codeObject: CosemObject } {
  const columns: CaptureObject[] = [CLOCK_COLUMN, { classId: Data.id, ln: codeLn, attribute: Data.attr.value, dataIndex: 0 }];
  const view = (now: number): BufferView => {
    const list = events(now).slice(-capacity);
    return { count: list.length, time: (i) => list[i]!.time, row: (i) => [dtValue(list[i]!.time), D.unsigned(list[i]!.code)] };
  };
  const object = profileGeneric(ln, columns, 0, capacity, view);
  const codeObject = dataObject(codeLn, false, (ctx) => D.unsigned(events(ctx.now).at(-1)?.code ?? 0));
  return { object, codeObject };
}

// ------------------------------------------------------------------------------------ the model

export interface ModelOptions {
  /** Load profile depth in days (default 90; at least 60 days of 15-minute rows). */
  profileDays?: number;
  /** Event log depth in days (default 365) and capacity (default 100 entries each). */
  eventDays?: number;
  eventCapacity?: number;
  /** The server system title (security setup attribute 5). */
  systemTitle: Uint8Array;
  /** The smallest invocation counter the management client may use next (0-0:43.1.1.255). */
  invocationCounter: () => number;
}

export const LOAD_PROFILE_PERIOD_S = 900;

/**
 * Attribute-level access of the object list: what each client may read. The public client
 * reads the logical device name, serial, clock, firmware, invocation counter and association
 * object; the reading and management clients read everything but secrets.
 */
export class E450Model {
  readonly objects: CosemObject[] = [];
  private readonly index = new Map<string, CosemObject>();
  /** Events the server itself records (wrong passwords …), added to the standard event log. */
  private readonly recorded: MeterEvent[] = [];

  constructor(
    readonly data: E450Data,
    private readonly o: ModelOptions,
  ) {
    const add = (obj: CosemObject) => {
      this.objects.push(obj);
      this.index.set(obisKey(obj.ln), obj);
    };
    const ldn = `${data.identification.manufacturer.toUpperCase()}${data.serial.padStart(13, '0')}`;
    add(this.association());
    add(dataObject([0, 0, 42, 0, 0, 255], true, () => D.octets(ascii(ldn))));
    add(dataObject([0, 0, 96, 1, 0, 255], true, () => D.octets(ascii(data.serial))));
    add(dataObject([1, 0, 0, 2, 0, 255], true, () => D.octets(ascii(data.firmware))));
    add(dataObject([0, 0, 43, 1, 1, 255], true, () => D.doubleLongUnsigned(o.invocationCounter())));
    add(this.clock());
    add(this.securitySetup());
    add(dataObject([0, 0, 97, 97, 0, 255], false, () => D.doubleLongUnsigned(0)));
    add(dataObject([0, 0, 96, 10, 1, 255], false, () => D.unsigned(0)));
    // Energy registers (Wh / varh, scaler 0: exactly the readout's kWh with three decimals).
    const energy = (ln: Obis, unit: number, pick: (e: ReturnType<E450Data['energy']>) => number) =>
      add(register(ln, 0, unit, (ctx) => D.doubleLongUnsigned(pick(data.energy(ctx.now)))));
    energy([1, 0, 1, 8, 0, 255], UNIT.Wh, (e) => e.importWh);
    energy([1, 0, 1, 8, 1, 255], UNIT.Wh, (e) => e.importT1Wh);
    energy([1, 0, 1, 8, 2, 255], UNIT.Wh, (e) => e.importT2Wh);
    energy([1, 0, 2, 8, 0, 255], UNIT.Wh, (e) => e.exportWh);
    energy([1, 0, 2, 8, 1, 255], UNIT.Wh, (e) => e.exportT1Wh);
    energy([1, 0, 2, 8, 2, 255], UNIT.Wh, (e) => e.exportT2Wh);
    energy([1, 0, 3, 8, 0, 255], UNIT.varh, (e) => e.reactiveImportVarh);
    energy([1, 0, 4, 8, 0, 255], UNIT.varh, (e) => e.reactiveExportVarh);
    // Instantaneous values: voltages in 0.1 V (scaler -1), currents in 0.01 A (scaler -2, the
    // classic "off by 100" trap), powers in W, frequency in 0.01 Hz, power factor in 0.001.
    const inst = (ctx: ReadContext) => data.instantaneous(ctx.now);
    ([32, 52, 72] as const).forEach((c, k) => add(register([1, 0, c, 7, 0, 255], -1, UNIT.V, (ctx) => D.longUnsigned(inst(ctx).phases[k]!.decivolts))));
    ([31, 51, 71] as const).forEach((c, k) => add(register([1, 0, c, 7, 0, 255], -2, UNIT.A, (ctx) => D.longUnsigned(inst(ctx).phases[k]!.centiamps))));
    ([21, 41, 61] as const).forEach((c, k) => add(register([1, 0, c, 7, 0, 255], 0, UNIT.W, (ctx) => D.doubleLongUnsigned(inst(ctx).phases[k]!.watts))));
    add(register([1, 0, 1, 7, 0, 255], 0, UNIT.W, (ctx) => D.doubleLongUnsigned(inst(ctx).importW)));
    add(register([1, 0, 2, 7, 0, 255], 0, UNIT.W, (ctx) => D.doubleLongUnsigned(inst(ctx).exportW)));
    add(register([1, 0, 14, 7, 0, 255], -2, UNIT.Hz, (ctx) => D.longUnsigned(inst(ctx).centihertz)));
    add(register([1, 0, 13, 7, 0, 255], -3, UNIT.none, (ctx) => D.long(inst(ctx).powerFactorMilli)));
    add(this.loadProfile());
    const days = o.eventDays ?? 365;
    const cap = o.eventCapacity ?? 100;
    const std = eventLog([0, 0, 99, 98, 0, 255], [0, 0, 96, 11, 0, 255], cap, (now) =>
      this.merge(generateEvents(data, STANDARD_EVENTS, now - days * DAY, now), now),
    );
    const pq = eventLog([0, 0, 99, 98, 4, 255], [0, 0, 96, 11, 4, 255], cap, (now) => generateEvents(data, POWER_QUALITY_EVENTS, now - days * DAY, now));
    add(std.object);
    add(std.codeObject);
    add(pq.object);
    add(pq.codeObject);
  }

  find(ln: ArrayLike<number>): CosemObject | undefined {
    return this.index.get(obisKey(ln));
  }

  /** Record an event in the standard event log (e.g. 46, wrong password). */
  record(code: number, time: number): void {
    this.recorded.push({ time: Math.floor(time / 1000) * 1000, code });
    if (this.recorded.length > 50) this.recorded.shift();
  }

  private merge(generated: MeterEvent[], now: number): MeterEvent[] {
    const mine = this.recorded.filter((e) => e.time <= now);
    if (!mine.length) return generated;
    return [...generated, ...mine].sort((a, b) => a.time - b.time);
  }

  /** The access mode a client has to an attribute (0 none, 1 read-only). */
  attributeAccess(role: ClientRole, obj: CosemObject, attr: number): number {
    if (obj.hidden?.includes(attr)) return ACCESS.none;
    if (role === 'public' && !obj.public) return ACCESS.none;
    return ACCESS.read;
  }

  /** Whether an object is in this client's association view (one attribute it may read at least). */
  visible(role: ClientRole, obj: CosemObject): boolean {
    for (let a = 1; a <= obj.attributeCount; a++) if (this.attributeAccess(role, obj, a) !== ACCESS.none) return true;
    return false;
  }

  methodAccess(role: ClientRole, obj: CosemObject, method: number): number {
    return role === 'management' && obj.methodsAllowed?.includes(method) ? 1 : 0;
  }

  /** The load profile's buffer at a time (for tests and tools). */
  loadProfileView(now: number): BufferView {
    return this.loadProfileRows(now);
  }

  private loadProfileRows(now: number): BufferView {
    const period = LOAD_PROFILE_PERIOD_S * 1000;
    const count = (this.o.profileDays ?? 90) * (86_400 / LOAD_PROFILE_PERIOD_S);
    const last = Math.floor(now / period) * period;
    const first = last - (count - 1) * period;
    // Intervals with a power failure carry the IDIS "power down" status bit (0x80).
    const downs = generateEvents(this.data, POWER_QUALITY_EVENTS, first - period, last)
      .filter((e) => e.code === 1)
      .map((e) => Math.ceil(e.time / period) * period);
    const flagged = new Set(downs);
    return {
      count,
      time: (i) => first + i * period,
      row: (i) => {
        const t = first + i * period;
        const e = this.data.energy(t);
        return [dtValue(t), D.unsigned(flagged.has(t) ? 0x80 : 0), D.doubleLongUnsigned(e.importWh), D.doubleLongUnsigned(e.exportWh)];
      },
    };
  }

  private loadProfile(): CosemObject {
    const columns: CaptureObject[] = [
      CLOCK_COLUMN,
      { classId: Data.id, ln: [0, 0, 96, 10, 1, 255], attribute: Data.attr.value, dataIndex: 0 },
      { classId: Register.id, ln: [1, 0, 1, 8, 0, 255], attribute: Register.attr.value, dataIndex: 0 },
      { classId: Register.id, ln: [1, 0, 2, 8, 0, 255], attribute: Register.attr.value, dataIndex: 0 },
    ];
    const capacity = (this.o.profileDays ?? 90) * (86_400 / LOAD_PROFILE_PERIOD_S);
    return profileGeneric([1, 0, 99, 1, 0, 255], columns, LOAD_PROFILE_PERIOD_S, capacity, (now) => this.loadProfileRows(now));
  }

  private clock(): CosemObject {
    const ln: Obis = CLOCK_LN;
    // DST rules as IDIS meters carry them (last Sunday of March 02:00 → last Sunday of October
    // 03:00), but DST is disabled: the simulated meter runs plain UTC.
    const rule = (month: number, hour: number) =>
      D.octets(encodeDateTime({ year: null, month, day: 0xfe, dayOfWeek: 7, hour, minute: 0, second: 0, hundredths: 0, deviation: null, clockStatus: null }));
    return {
      classId: Clock.id,
      version: Clock.version,
      ln,
      attributeCount: Clock.attributeCount,
      methodCount: Clock.methodCount,
      public: true,
      read(attr, ctx) {
        switch (attr) {
          case Clock.attr.logical_name:
            return { ok: true, value: lnValue(ln) };
          case Clock.attr.time:
            return { ok: true, value: dtValue(ctx.now) };
          case Clock.attr.time_zone:
            return { ok: true, value: D.long(0) };
          case Clock.attr.status:
            return { ok: true, value: D.unsigned(0) };
          case Clock.attr.daylight_savings_begin:
            return { ok: true, value: rule(3, 2) };
          case Clock.attr.daylight_savings_end:
            return { ok: true, value: rule(10, 3) };
          case Clock.attr.daylight_savings_deviation:
            return { ok: true, value: D.integer(60) };
          case Clock.attr.daylight_savings_enabled:
            return { ok: true, value: D.bool(false) };
          case Clock.attr.clock_base:
            return { ok: true, value: D.enum(1) }; // internal crystal
          default:
            return { ok: false, dar: DAR.objectUndefined };
        }
      },
    };
  }

  private securitySetup(): CosemObject {
    const ln: Obis = [0, 0, 43, 0, 0, 255];
    const st = this.o.systemTitle;
    return {
      classId: SecuritySetup.id,
      version: SecuritySetup.version,
      ln,
      attributeCount: SecuritySetup.attributeCount,
      methodCount: SecuritySetup.methodCount,
      public: false,
      read(attr, ctx) {
        switch (attr) {
          case SecuritySetup.attr.logical_name:
            return { ok: true, value: lnValue(ln) };
          case SecuritySetup.attr.security_policy:
            return { ok: true, value: D.enum(3) }; // authenticated and encrypted messages
          case SecuritySetup.attr.security_suite:
            return { ok: true, value: D.enum(0) }; // suite 0: AES-GCM-128
          case SecuritySetup.attr.client_system_title:
            return { ok: true, value: D.octets(ctx.association.clientSystemTitle ?? new Uint8Array(0)) };
          case SecuritySetup.attr.server_system_title:
            return { ok: true, value: D.octets(st) };
          default:
            return { ok: false, dar: DAR.objectUndefined };
        }
      },
    };
  }

  private association(): CosemObject {
    const ln: Obis = [0, 0, 40, 0, 0, 255];
    return {
      classId: AssociationLn.id,
      version: AssociationLn.version,
      ln,
      attributeCount: AssociationLn.attributeCount,
      methodCount: AssociationLn.methodCount,
      public: true,
      hidden: [AssociationLn.attr.secret],
      methodsAllowed: [AssociationLn.method.reply_to_HLS_authentication],
      read: (attr, ctx) => {
        const a = ctx.association;
        switch (attr) {
          case AssociationLn.attr.logical_name:
            return { ok: true, value: lnValue(ln) };
          case AssociationLn.attr.object_list: {
            // The association's view: only the objects this client may see, as a meter lists them.
            const seen = this.objects.filter((o) => this.visible(ctx.role, o));
            return { ok: true, lazy: lazyArray(seen.length, (i) => this.objectListEntry(seen[i]!, ctx.role)) };
          }
          case AssociationLn.attr.associated_partners_id:
            return { ok: true, value: D.structure([D.integer(a.clientSap), D.longUnsigned(a.serverSap)]) };
          case AssociationLn.attr.application_context_name:
            return { ok: true, value: D.octets(a.contextOid) };
          case AssociationLn.attr.xdlms_context_info:
            return {
              ok: true,
              value: D.structure([
                { type: 'bit-string', value: a.conformance.toString(2).padStart(24, '0') },
                D.longUnsigned(a.clientMaxPdu),
                D.longUnsigned(a.serverMaxPdu),
                D.unsigned(6),
                D.integer(0),
                D.octets(new Uint8Array(0)),
              ]),
            };
          case AssociationLn.attr.authentication_mechanism_name:
            return { ok: true, value: a.mechanismOid ? D.octets(a.mechanismOid) : D.null() };
          case AssociationLn.attr.association_status:
            return { ok: true, value: D.enum(a.status) };
          case AssociationLn.attr.security_setup_reference:
            return { ok: true, value: lnValue([0, 0, 43, 0, 0, 255]) };
          default:
            return { ok: false, dar: DAR.objectUndefined };
        }
      },
    };
  }

  /** One element of object_list: class, version, logical name and this client's access rights. */
  objectListEntry(obj: CosemObject, role: ClientRole): DlmsValue {
    const attrs: DlmsValue[] = [];
    for (let a = 1; a <= obj.attributeCount; a++) {
      const sel = obj.selectors?.[a];
      attrs.push(D.structure([D.integer(a), D.enum(this.attributeAccess(role, obj, a)), sel ? D.array(sel.map((s) => D.integer(s))) : D.null()]));
    }
    const methods: DlmsValue[] = [];
    for (let m = 1; m <= obj.methodCount; m++) methods.push(D.structure([D.integer(m), D.enum(this.methodAccess(role, obj, m))]));
    return D.structure([D.longUnsigned(obj.classId), D.unsigned(obj.version), lnValue(obj.ln), D.structure([D.array(attrs), D.array(methods)])]);
  }
}
