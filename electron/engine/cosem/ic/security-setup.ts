/** Security setup (class 64, version 0): security policy and suite, client and server system titles. */
import { defineClass, LOGICAL_NAME } from './define';

export const SecuritySetup = defineClass({
  id: 64,
  name: 'Security setup',
  version: 0,
  attributes: {
    logical_name: LOGICAL_NAME,
    security_policy: { id: 2, type: 'enum' },
    security_suite: { id: 3, type: 'enum' },
    client_system_title: { id: 4, type: 'octet-string' },
    server_system_title: { id: 5, type: 'octet-string' },
  },
  methods: {
    security_activate: { id: 1, type: 'enum' },
    global_key_transfer: { id: 2, type: 'array' },
  },
});
