/** Disconnect control (class 70, version 0): the supply breaker (output state, control state and mode). */
import { defineClass, LOGICAL_NAME } from './define';

export const DisconnectControl = defineClass({
  id: 70,
  name: 'Disconnect control',
  version: 0,
  attributes: {
    logical_name: LOGICAL_NAME,
    output_state: { id: 2, type: 'boolean' },
    control_state: { id: 3, type: 'enum' },
    control_mode: { id: 4, type: 'enum' },
  },
  methods: {
    remote_disconnect: { id: 1, type: 'integer' },
    remote_reconnect: { id: 2, type: 'integer' },
  },
});
