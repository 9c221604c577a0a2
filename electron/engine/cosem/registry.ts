/**
 * The COSEM interface classes the app knows, by class id (IEC 62056-6-2): Data (1), Register (3),
 * Extended register (4), Demand register (5), Profile generic (7), Clock (8), Association LN (15),
 * Push setup (40), Security setup (64), Disconnect control (70). One file per class in ic/.
 *
 * Code names classes and members instead of writing numbers:
 *   { classId: Register.id, obis, attribute: Register.attr.scaler_unit }
 *   e.classId === ClassId.DemandRegister
 *   attr(ProfileGeneric, 'capture_objects'), method(AssociationLn, 'reply_to_HLS_authentication')
 */
import { AssociationLn } from './ic/association-ln';
import { Clock } from './ic/clock';
import { Data } from './ic/data';
import type { InterfaceClass } from './ic/define';
import { DemandRegister } from './ic/demand-register';
import { DisconnectControl } from './ic/disconnect-control';
import { ExtendedRegister } from './ic/extended-register';
import { ProfileGeneric } from './ic/profile-generic';
import { PushSetup } from './ic/push-setup';
import { Register } from './ic/register';
import { SecuritySetup } from './ic/security-setup';

export type { InterfaceClass, MemberSpec } from './ic/define';
export { AssociationLn, CURRENT_ASSOCIATION_LN } from './ic/association-ln';
export { Clock, CLOCK_LN } from './ic/clock';
export { Data } from './ic/data';
export { DemandRegister } from './ic/demand-register';
export { DisconnectControl } from './ic/disconnect-control';
export { ExtendedRegister } from './ic/extended-register';
export { PROFILE_SELECTOR, ProfileGeneric } from './ic/profile-generic';
export { PushSetup } from './ic/push-setup';
export { Register } from './ic/register';
export { SecuritySetup } from './ic/security-setup';

/** Every known class by a camel-case name: `COSEM.register.id` is 3. */
export const COSEM = {
  data: Data,
  register: Register,
  extendedRegister: ExtendedRegister,
  demandRegister: DemandRegister,
  profileGeneric: ProfileGeneric,
  clock: Clock,
  associationLn: AssociationLn,
  pushSetup: PushSetup,
  securitySetup: SecuritySetup,
  disconnectControl: DisconnectControl,
} as const;

/** Class ids by name: `ClassId.Register` is 3. */
export const ClassId = {
  Data: Data.id,
  Register: Register.id,
  ExtendedRegister: ExtendedRegister.id,
  DemandRegister: DemandRegister.id,
  ProfileGeneric: ProfileGeneric.id,
  Clock: Clock.id,
  AssociationLn: AssociationLn.id,
  PushSetup: PushSetup.id,
  SecuritySetup: SecuritySetup.id,
  DisconnectControl: DisconnectControl.id,
} as const;

export type KnownClassId = (typeof ClassId)[keyof typeof ClassId];

/**
 * Attribute 2 holds the value in every value class: Data value, Register and Extended register
 * value, Demand register current_average_value, Clock time. Typed as all of them at once, so a
 * class defined otherwise does not compile.
 */
export const VALUE_ATTRIBUTE: typeof Data.attr.value &
  typeof Register.attr.value &
  typeof ExtendedRegister.attr.value &
  typeof DemandRegister.attr.current_average_value &
  typeof Clock.attr.time = Data.attr.value;

/** Attribute 1 of every class is its logical name (a 6-byte octet string, an OBIS code). */
export const LOGICAL_NAME_ATTRIBUTE: typeof Data.attr.logical_name = Data.attr.logical_name;

const BY_ID: ReadonlyMap<number, InterfaceClass> = new Map(Object.values(COSEM).map((c): [number, InterfaceClass] => [c.id, c]));
if (BY_ID.size !== Object.keys(COSEM).length) throw new Error('COSEM registry: two classes share a class id');

/** The class with this id, if the app knows it. */
export function classById(classId: number): InterfaceClass | undefined {
  return BY_ID.get(classId);
}

/** A class's name for display ("Register"), or "class N" for one the app does not know. */
export function className(classId: number): string {
  return BY_ID.get(classId)?.name ?? `class ${classId}`;
}

/** The id of a named attribute: `attr(Register, 'scaler_unit')` is 3 (typed as the literal). */
export function attr<C extends InterfaceClass<number, any, any>, K extends keyof C['attr'] & string>(cls: C, name: K): C['attr'][K] {
  return cls.attr[name];
}

/** The id of a named method: `method(AssociationLn, 'reply_to_HLS_authentication')` is 1. */
export function method<C extends InterfaceClass<number, any, any>, K extends keyof C['method'] & string>(cls: C, name: K): C['method'][K] {
  return cls.method[name];
}

/** The name of an attribute of a known class ("scaler_unit"), undefined when unknown. */
export function attributeName(classId: number, attribute: number): string | undefined {
  const cls = BY_ID.get(classId);
  if (!cls) return undefined;
  return Object.entries(cls.attributes).find(([, m]) => m.id === attribute)?.[0];
}

/** The name of a method of a known class, undefined when unknown. */
export function methodName(classId: number, id: number): string | undefined {
  const cls = BY_ID.get(classId);
  if (!cls) return undefined;
  return Object.entries(cls.methods).find(([, m]) => m.id === id)?.[0];
}

/** The attribute of a value-holding class that carries its scaler_unit, undefined for the others. */
export function scalerUnitAttribute(classId: number): number | undefined {
  const cls = BY_ID.get(classId);
  return cls && 'scaler_unit' in cls.attr ? cls.attr.scaler_unit : undefined;
}
