/** Extended register (class 4, version 0): a register with a status and the time it was captured. */
import { defineClass, LOGICAL_NAME } from './define';

export const ExtendedRegister = defineClass({
  id: 4,
  name: 'Extended register',
  version: 0,
  attributes: {
    logical_name: LOGICAL_NAME,
    value: { id: 2, type: 'CHOICE' },
    scaler_unit: { id: 3, type: 'structure { integer scaler, enum unit }' },
    status: { id: 4, type: 'CHOICE' },
    capture_time: { id: 5, type: 'octet-string (date-time)' },
  },
  methods: {
    reset: { id: 1, type: 'integer' },
  },
});
