/** Register (class 3, version 0): a value with its scaler and unit, e.g. active energy 1-0:1.8.0. */
import { defineClass, LOGICAL_NAME } from './define';

export const Register = defineClass({
  id: 3,
  name: 'Register',
  version: 0,
  attributes: {
    logical_name: LOGICAL_NAME,
    value: { id: 2, type: 'CHOICE' },
    scaler_unit: { id: 3, type: 'structure { integer scaler, enum unit }' },
  },
  methods: {
    reset: { id: 1, type: 'integer' },
  },
});
