/** Data (class 1, version 0): a value with no unit, e.g. the serial number 0-0:96.1.0. */
import { defineClass, LOGICAL_NAME } from './define';

export const Data = defineClass({
  id: 1,
  name: 'Data',
  version: 0,
  attributes: {
    logical_name: LOGICAL_NAME,
    value: { id: 2, type: 'CHOICE' },
  },
  methods: {},
});
