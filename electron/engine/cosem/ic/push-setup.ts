/** Push setup (class 40, version 0): what a meter pushes (its first entry may be the push setup itself), where and when. */
import { defineClass, LOGICAL_NAME } from './define';

export const PushSetup = defineClass({
  id: 40,
  name: 'Push setup',
  version: 0,
  attributes: {
    logical_name: LOGICAL_NAME,
    push_object_list: { id: 2, type: 'array of capture_object_definition' },
    send_destination_and_method: { id: 3, type: 'structure' },
    communication_window: { id: 4, type: 'array' },
    randomisation_start_interval: { id: 5, type: 'long-unsigned' },
    number_of_retries: { id: 6, type: 'unsigned' },
    repetition_delay: { id: 7, type: 'long-unsigned' },
  },
  methods: {
    push: { id: 1, type: 'integer' },
  },
});
