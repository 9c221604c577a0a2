/** Demand register (class 5, version 0): current and last average over a sliding period. */
import { defineClass, LOGICAL_NAME } from './define';

export const DemandRegister = defineClass({
  id: 5,
  name: 'Demand register',
  version: 0,
  attributes: {
    logical_name: LOGICAL_NAME,
    current_average_value: { id: 2, type: 'CHOICE' },
    last_average_value: { id: 3, type: 'CHOICE' },
    scaler_unit: { id: 4, type: 'structure { integer scaler, enum unit }' },
    status: { id: 5, type: 'CHOICE' },
    capture_time: { id: 6, type: 'octet-string (date-time)' },
    start_time_current: { id: 7, type: 'octet-string (date-time)' },
    period: { id: 8, type: 'double-long-unsigned' },
    number_of_periods: { id: 9, type: 'long-unsigned' },
  },
  methods: {
    reset: { id: 1, type: 'integer' },
    next_period: { id: 2, type: 'integer' },
  },
});
