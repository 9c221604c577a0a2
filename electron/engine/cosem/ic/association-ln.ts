/** Association LN (class 15, version 1): the current association, its object list and HLS methods. */
import type { Obis } from '../../../../shared/obis-code';
import { defineClass, LOGICAL_NAME } from './define';

export const AssociationLn = defineClass({
  id: 15,
  name: 'Association LN',
  version: 1,
  attributes: {
    logical_name: LOGICAL_NAME,
    object_list: { id: 2, type: 'array of object_list_element' },
    associated_partners_id: { id: 3, type: 'structure { integer client SAP, long-unsigned server SAP }' },
    application_context_name: { id: 4, type: 'octet-string' },
    xdlms_context_info: { id: 5, type: 'structure' },
    authentication_mechanism_name: { id: 6, type: 'octet-string' },
    secret: { id: 7, type: 'octet-string' },
    association_status: { id: 8, type: 'enum' },
    security_setup_reference: { id: 9, type: 'octet-string' },
  },
  methods: {
    reply_to_HLS_authentication: { id: 1, type: 'octet-string' },
    change_HLS_secret: { id: 2, type: 'octet-string' },
  },
});

/** The current association, as every client sees it. */
export const CURRENT_ASSOCIATION_LN: Obis = [0, 0, 40, 0, 0, 255];
