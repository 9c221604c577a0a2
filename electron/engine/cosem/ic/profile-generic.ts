/** Profile generic (class 7, version 1): a buffer of captured rows (load profiles, event logs). */
import { defineClass, LOGICAL_NAME } from './define';

export const ProfileGeneric = defineClass({
  id: 7,
  name: 'Profile generic',
  version: 1,
  attributes: {
    logical_name: LOGICAL_NAME,
    buffer: { id: 2, type: 'array of structure' },
    capture_objects: { id: 3, type: 'array of capture_object_definition' },
    capture_period: { id: 4, type: 'double-long-unsigned' },
    sort_method: { id: 5, type: 'enum' },
    sort_object: { id: 6, type: 'capture_object_definition' },
    entries_in_use: { id: 7, type: 'double-long-unsigned' },
    profile_entries: { id: 8, type: 'double-long-unsigned' },
  },
  methods: {
    reset: { id: 1, type: 'integer' },
    capture: { id: 2, type: 'integer' },
  },
});

/** Access selectors of the buffer attribute. */
export const PROFILE_SELECTOR = { range: 1, entry: 2 } as const;
