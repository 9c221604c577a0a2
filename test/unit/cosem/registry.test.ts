import { describe, it, expect, expectTypeOf } from 'vitest';
import { defineClass } from '../../../electron/engine/cosem/ic/define';
import {
  AssociationLn,
  attr,
  attributeName,
  classById,
  ClassId,
  className,
  Clock,
  COSEM,
  Data,
  DemandRegister,
  DisconnectControl,
  ExtendedRegister,
  method,
  methodName,
  ProfileGeneric,
  PushSetup,
  Register,
  scalerUnitAttribute,
  SecuritySetup,
  VALUE_ATTRIBUTE,
} from '../../../electron/engine/cosem/registry';

describe('COSEM registry', () => {
  it('holds the Blue Book class ids', () => {
    expect(ClassId).toEqual({
      Data: 1,
      Register: 3,
      ExtendedRegister: 4,
      DemandRegister: 5,
      ProfileGeneric: 7,
      Clock: 8,
      AssociationLn: 15,
      PushSetup: 40,
      SecuritySetup: 64,
      DisconnectControl: 70,
    });
    expect(COSEM.register.id).toBe(3);
    expect(Object.values(COSEM).map((c) => c.id)).toEqual(Object.values(ClassId));
    for (const c of Object.values(COSEM)) expect(classById(c.id)).toBe(c);
    expect(classById(2)).toBeUndefined();
    expect(className(ClassId.ProfileGeneric)).toBe('Profile generic');
    expect(className(9999)).toBe('class 9999');
  });

  it('numbers the attributes and methods as IEC 62056-6-2 does', () => {
    expect(Data.attr).toEqual({ logical_name: 1, value: 2 });
    expect(Register.attr).toEqual({ logical_name: 1, value: 2, scaler_unit: 3 });
    expect(ExtendedRegister.attr.capture_time).toBe(5);
    expect(DemandRegister.attr).toMatchObject({
      current_average_value: 2,
      last_average_value: 3,
      scaler_unit: 4,
      capture_time: 6,
      period: 8,
      number_of_periods: 9,
    });
    expect(ProfileGeneric.attr).toMatchObject({ buffer: 2, capture_objects: 3, capture_period: 4, sort_object: 6, entries_in_use: 7, profile_entries: 8 });
    expect(Clock.attr).toMatchObject({ time: 2, time_zone: 3, status: 4, daylight_savings_deviation: 7, clock_base: 9 });
    expect(AssociationLn.attr).toMatchObject({ object_list: 2, secret: 7, association_status: 8, security_setup_reference: 9 });
    expect(AssociationLn.method).toEqual({ reply_to_HLS_authentication: 1, change_HLS_secret: 2 });
    expect(PushSetup.attr.push_object_list).toBe(2);
    expect(SecuritySetup.attr.server_system_title).toBe(5);
    expect(DisconnectControl.method).toEqual({ remote_disconnect: 1, remote_reconnect: 2 });
    expect([Data, Register, ProfileGeneric, Clock, AssociationLn, SecuritySetup].map((c) => [c.attributeCount, c.methodCount])).toEqual([
      [2, 0],
      [3, 1],
      [8, 2],
      [9, 6],
      [9, 2],
      [5, 2],
    ]);
  });

  it('gives ids by name, typed as literals, and names by id', () => {
    expect(attr(Register, 'scaler_unit')).toBe(3);
    expect(method(AssociationLn, 'reply_to_HLS_authentication')).toBe(1);
    expectTypeOf(attr(DemandRegister, 'scaler_unit')).toEqualTypeOf<4>();
    expectTypeOf(Clock.attr.time).toEqualTypeOf<2>();
    expectTypeOf(ClassId.ProfileGeneric).toEqualTypeOf<7>();
    // @ts-expect-error a misspelt attribute does not compile
    attr(Register, 'scalar_unit');
    expect(attributeName(ClassId.Clock, 9)).toBe('clock_base');
    expect(attributeName(ClassId.Clock, 10)).toBeUndefined();
    expect(attributeName(2, 1)).toBeUndefined();
    expect(methodName(ClassId.AssociationLn, 1)).toBe('reply_to_HLS_authentication');
    expect(methodName(ClassId.Data, 1)).toBeUndefined();
  });

  it('has the value at attribute 2 in every value class', () => {
    expect(VALUE_ATTRIBUTE).toBe(2);
    expect([Data.attr.value, Register.attr.value, ExtendedRegister.attr.value, DemandRegister.attr.current_average_value, Clock.attr.time]).toEqual([
      2, 2, 2, 2, 2,
    ]);
  });

  it('knows which attribute carries scaler_unit', () => {
    expect([1, 3, 4, 5, 7, 8, 15, 70, 2].map(scalerUnitAttribute)).toEqual([undefined, 3, 3, 4, undefined, undefined, undefined, undefined, undefined]);
  });

  it('refuses a class whose members are not numbered 1..n from logical_name', () => {
    expect(() =>
      defineClass({ id: 900, name: 'gap', version: 0, attributes: { logical_name: { id: 1, type: 'x' }, b: { id: 3, type: 'x' } }, methods: {} }),
    ).toThrow(/1\.\.2/);
    expect(() =>
      defineClass({
        id: 900,
        name: 'dup',
        version: 0,
        attributes: { logical_name: { id: 1, type: 'x' } },
        methods: { a: { id: 1, type: 'x' }, b: { id: 1, type: 'x' } },
      }),
    ).toThrow(/1\.\.2/);
    expect(() => defineClass({ id: 900, name: 'ln', version: 0, attributes: { value: { id: 1, type: 'x' } }, methods: {} })).toThrow(/logical_name/);
  });
});
