import { describe, it, expect } from 'vitest';
import { decodeGetListBlocks, planGetRequests } from '../../../electron/engine/dlms/get';
import { entryAccess } from '../../../electron/engine/dlms/selective-access';
import type { AttributeRequest } from '../../../electron/engine/dlms/apdu';
import { Register } from '../../../electron/engine/cosem/registry';

const reg = (i: number): AttributeRequest => ({ classId: Register.id, obis: [1, 0, 1, 8, i, 255], attribute: Register.attr.value });

describe('GET planning and block-transfer lists', () => {
  it('one attribute per GET without multiple-references, lists within the PDU size with it', () => {
    const reqs = Array.from({ length: 10 }, (_, i) => reg(i));
    expect(planGetRequests(reqs, { withList: false, serverMaxPdu: 1024, ciphered: false })).toEqual(reqs.map((_, i) => [i]));
    expect(planGetRequests(reqs, { withList: true, serverMaxPdu: 1024, ciphered: false })).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
    // 6 bytes of header, 10 per attribute: 64 bytes hold 5; ciphering (21 bytes) leaves room for 3.
    expect(planGetRequests(reqs, { withList: true, serverMaxPdu: 64, ciphered: false }).map((c) => c.length)).toEqual([5, 5]);
    expect(planGetRequests(reqs, { withList: true, serverMaxPdu: 64, ciphered: true }).map((c) => c.length)).toEqual([3, 3, 3, 1]);
    // Selective access parameters count; 0 means no limit.
    expect(planGetRequests([{ ...reg(0), access: entryAccess(1) }, reg(1)], { withList: true, serverMaxPdu: 0, ciphered: false })).toEqual([[0, 1]]);
    expect(planGetRequests([reg(0)], { withList: true, serverMaxPdu: 64, ciphered: false })).toEqual([[0]]);
  });

  it('reads the results of a GET-with-list joined from its blocks', () => {
    // 2 results: a long-unsigned 0x1234, then data-access-result 3 (read-write-denied).
    expect(decodeGetListBlocks(Uint8Array.of(0x02, 0x00, 0x12, 0x12, 0x34, 0x01, 0x03))).toEqual([
      { ok: true, value: { type: 'long-unsigned', value: 0x1234 } },
      { ok: false, dar: 3, name: 'read-write-denied' },
    ]);
    expect(() => decodeGetListBlocks(Uint8Array.of(0x02, 0x00, 0x12, 0x12))).toThrow();
  });
});
