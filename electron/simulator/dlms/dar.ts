/** Data-access-result codes the simulated server answers with (Blue Book, Data-Access-Result). */
export const DAR = {
  hardwareFault: 1,
  temporaryFailure: 2,
  readWriteDenied: 3,
  objectUndefined: 4,
  objectClassInconsistent: 9,
  objectUnavailable: 11,
  typeUnmatched: 12,
  scopeOfAccessViolated: 13,
  dataBlockUnavailable: 14,
  noLongGetInProgress: 16,
  dataBlockNumberInvalid: 19,
  otherReason: 250,
} as const;
