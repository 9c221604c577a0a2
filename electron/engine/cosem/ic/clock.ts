/** Clock (class 8, version 0): the meter's date and time, time zone and daylight saving rules. */
import type { Obis } from '../../../../shared/obis-code';
import { defineClass, LOGICAL_NAME } from './define';

export const Clock = defineClass({
  id: 8,
  name: 'Clock',
  version: 0,
  attributes: {
    logical_name: LOGICAL_NAME,
    time: { id: 2, type: 'octet-string (date-time)' },
    time_zone: { id: 3, type: 'long' },
    status: { id: 4, type: 'unsigned' },
    daylight_savings_begin: { id: 5, type: 'octet-string (date-time)' },
    daylight_savings_end: { id: 6, type: 'octet-string (date-time)' },
    daylight_savings_deviation: { id: 7, type: 'integer' },
    daylight_savings_enabled: { id: 8, type: 'boolean' },
    clock_base: { id: 9, type: 'enum' },
  },
  methods: {
    adjust_to_quarter: { id: 1, type: 'integer' },
    adjust_to_measuring_period: { id: 2, type: 'integer' },
    adjust_to_minute: { id: 3, type: 'integer' },
    adjust_to_preset_time: { id: 4, type: 'integer' },
    preset_adjusting_time: { id: 5, type: 'structure' },
    shift_time: { id: 6, type: 'long' },
  },
});

/** The clock object every meter has. */
export const CLOCK_LN: Obis = [0, 0, 1, 0, 0, 255];
