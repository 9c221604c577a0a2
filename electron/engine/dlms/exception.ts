/**
 * The errors a server answers instead of a service response: exception-response (state and
 * service error, the expected invocation counter) and confirmed-service-error.
 */
import { OmrError } from '../../../shared/errors';
import { decodeError, guardDecode, Reader, Writer } from './bytes';
import { TAG } from './apdu';

const STATE_ERRORS: Record<number, string> = { 1: 'service-not-allowed', 2: 'service-unknown' };
const EXCEPTION_SERVICE_ERRORS: Record<number, string> = {
  1: 'operation-not-possible',
  2: 'service-not-supported',
  3: 'other-reason',
  4: 'pdu-too-long',
  5: 'deciphering-error',
  6: 'invocation-counter-error',
};

export interface ExceptionResponse {
  stateError: number;
  serviceError: number;
  /** For invocation-counter-error: the counter the server expects. */
  invocationCounter?: number;
  text: string;
}

export function decodeExceptionResponse(b: Uint8Array): ExceptionResponse {
  return guardDecode('exception-response', () => {
    const r = new Reader(b);
    if (r.u8('tag') !== TAG.exceptionResponse) throw decodeError('not an exception-response');
    const stateError = r.u8('state-error');
    const serviceError = r.u8('service-error');
    const out: ExceptionResponse = {
      stateError,
      serviceError,
      text: `exception-response: ${STATE_ERRORS[stateError] ?? `state-error ${stateError}`}, ${EXCEPTION_SERVICE_ERRORS[serviceError] ?? `service-error ${serviceError}`}`,
    };
    if (serviceError === 6 && r.remaining >= 4) {
      out.invocationCounter = r.u32('invocation counter');
      out.text += ` (server expects ${out.invocationCounter})`;
    }
    return out;
  });
}

export function encodeExceptionResponse(stateError: number, serviceError: number, invocationCounter?: number): Uint8Array {
  const w = new Writer().u8(TAG.exceptionResponse).u8(stateError).u8(serviceError);
  if (invocationCounter !== undefined) w.u32(invocationCounter);
  return w.finish();
}

const CONFIRMED_SERVICES: Record<number, string> = {
  1: 'initiateError',
  2: 'getStatus',
  3: 'getNameList',
  4: 'getVariableAttribute',
  5: 'read',
  6: 'write',
  7: 'getDataSetAttribute',
  8: 'getTIAttribute',
  9: 'changeScope',
  10: 'start',
  11: 'stop',
  12: 'resume',
  13: 'makeUsable',
  14: 'initiateLoad',
  15: 'loadSegment',
  16: 'terminateLoad',
  17: 'initiateUpLoad',
  18: 'upLoadSegment',
  19: 'terminateUpLoad',
};

const SERVICE_ERROR_CLASSES: Record<number, [string, Record<number, string>]> = {
  0: [
    'application-reference',
    {
      0: 'other',
      1: 'time-elapsed',
      2: 'application-unreachable',
      3: 'application-reference-invalid',
      4: 'application-context-unsupported',
      5: 'provider-communication-error',
      6: 'deciphering-error',
    },
  ],
  1: [
    'hardware-resource',
    { 0: 'other', 1: 'memory-unavailable', 2: 'processor-resource-unavailable', 3: 'mass-storage-unavailable', 4: 'other-resource-unavailable' },
  ],
  2: ['vde-state-error', { 0: 'other', 1: 'no-dlms-context', 2: 'loading-data-set', 3: 'status-nochange', 4: 'status-inoperable' }],
  3: ['service', { 0: 'other', 1: 'pdu-size', 2: 'service-unsupported' }],
  4: ['definition', { 0: 'other', 1: 'object-undefined', 2: 'object-class-inconsistent', 3: 'object-attribute-inconsistent' }],
  5: ['access', { 0: 'other', 1: 'scope-of-access-violated', 2: 'object-access-violated', 3: 'hardware-fault', 4: 'object-unavailable' }],
  6: ['initiate', { 0: 'other', 1: 'dlms-version-too-low', 2: 'incompatible-conformance', 3: 'pdu-size-too-short', 4: 'refused-by-the-VDE-Handler' }],
  7: ['load-data-set', { 0: 'other' }],
  8: ['change-scope', { 0: 'other' }],
  9: ['task', { 0: 'other' }],
  10: ['other', { 0: 'other' }],
};

export interface ConfirmedServiceError {
  service: number;
  errorClass: number;
  error: number;
  text: string;
}

export function decodeConfirmedServiceError(b: Uint8Array): ConfirmedServiceError {
  return guardDecode('confirmed-service-error', () => {
    const r = new Reader(b);
    if (r.u8('tag') !== TAG.confirmedServiceError) throw decodeError('not a confirmed-service-error');
    const service = r.u8('service');
    const errorClass = r.u8('service error class');
    const error = r.u8('service error');
    const cls = SERVICE_ERROR_CLASSES[errorClass];
    const text = `confirmed-service-error: ${CONFIRMED_SERVICES[service] ?? `service ${service}`}, ${cls ? `${cls[0]}: ${cls[1][error] ?? error}` : `class ${errorClass} error ${error}`}`;
    return { service, errorClass, error, text };
  });
}

export function encodeConfirmedServiceError(service: number, errorClass: number, error: number): Uint8Array {
  return Uint8Array.of(TAG.confirmedServiceError, service, errorClass, error);
}

/** The error an exception-response or a confirmed-service-error carries, undefined for any other APDU. */
export function serviceErrorOf(plain: Uint8Array): OmrError | undefined {
  if (plain[0] === TAG.exceptionResponse) return new OmrError('DLMS_ERROR', decodeExceptionResponse(plain).text);
  if (plain[0] === TAG.confirmedServiceError) return new OmrError('DLMS_ERROR', decodeConfirmedServiceError(plain).text);
  return undefined;
}
