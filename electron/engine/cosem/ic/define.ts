/**
 * The shape of a COSEM interface class (IEC 62056-6-2): class id, version, and its attributes and
 * methods by name with their ids and data types. `defineClass` keeps every id as a literal type,
 * so `Register.attr.scaler_unit` has the type `3` and a misspelt name does not compile.
 */

/** An attribute or a method: its id, and the A-XDR type of the value (or of the method parameter). */
export interface MemberSpec {
  readonly id: number;
  readonly type: string;
}

export type Members = Readonly<Record<string, MemberSpec>>;

export interface InterfaceClass<Id extends number = number, A extends Members = Members, M extends Members = Members> {
  readonly id: Id;
  /** The Blue Book name, e.g. "Register". */
  readonly name: string;
  /** The version of the class these members belong to. */
  readonly version: number;
  readonly attributes: A;
  readonly methods: M;
  /** Attribute ids by name: `Clock.attr.time` is 2. */
  readonly attr: { readonly [K in keyof A]: A[K]['id'] };
  /** Method ids by name: `AssociationLn.method.reply_to_HLS_authentication` is 1. */
  readonly method: { readonly [K in keyof M]: M[K]['id'] };
  /** Attributes 1..n (n = attributeCount). */
  readonly attributeCount: number;
  /** Methods 1..n (n = methodCount). */
  readonly methodCount: number;
}

function ids<T extends Members>(what: string, members: T): { [K in keyof T]: T[K]['id'] } {
  const entries = Object.entries(members);
  const seen = entries.map(([, m]) => m.id).sort((a, b) => a - b);
  // Members are numbered 1..n without gaps (attribute 1 is always logical_name).
  seen.forEach((id, i) => {
    if (id !== i + 1) throw new Error(`${what}: ids are not 1..${entries.length}`);
  });
  return Object.fromEntries(entries.map(([k, m]) => [k, m.id])) as { [K in keyof T]: T[K]['id'] };
}

export function defineClass<const Id extends number, const A extends Members, const M extends Members>(def: {
  id: Id;
  name: string;
  version: number;
  attributes: A;
  methods: M;
}): InterfaceClass<Id, A, M> {
  if (def.attributes.logical_name?.id !== 1) throw new Error(`${def.name}: attribute 1 must be logical_name`);
  return Object.freeze({
    ...def,
    attr: Object.freeze(ids(`${def.name} attributes`, def.attributes)),
    method: Object.freeze(ids(`${def.name} methods`, def.methods)),
    attributeCount: Object.keys(def.attributes).length,
    methodCount: Object.keys(def.methods).length,
  });
}

/** logical_name, attribute 1 of every class. */
export const LOGICAL_NAME = { id: 1, type: 'octet-string[6]' } as const;
