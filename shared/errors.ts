/**
 * Every failure a technician can meet has a code, a human message and a remedy, in English and
 * French. The engine and the services throw {@link OmrError}; everything that crosses a boundary
 * (IPC, WebSocket, CLI, session journal) carries the plain {@link ErrorInfo}.
 */

import { LANGS, t, type Lang } from './i18n';

export type { Lang } from './i18n';

/** Every error code; the texts are `error.<CODE>.message` and `error.<CODE>.remedy` of the catalogue. */
export const ERROR_CODES = [
  // --- ports and links
  'PORT_NOT_FOUND',
  'PORT_BUSY',
  'PORT_PERMISSION',
  'PORT_OPEN_FAILED',
  'LINK_LOST',
  'TCP_CONNECT_FAILED',
  /** An RFC 2217 server did not confirm a line setting. */
  'LINE_SETTING_REFUSED',
  // --- IEC 62056-21
  'NO_ECHO_NO_ANSWER',
  'ECHO_ONLY',
  'GARBLED',
  'PARITY_ERROR',
  'BCC_MISMATCH',
  'NAK_LIMIT',
  'METER_ERROR',
  'BAUD_NOT_ACCEPTED',
  'TIMEOUT_REACTION',
  'TIMEOUT_INTERCHAR',
  /** A data message with its ETX and a good BCC, but without the `!` end line. */
  'READOUT_INCOMPLETE',
  'MODE_NOT_OFFERED',
  // --- HDLC / DLMS
  'HDLC_FCS',
  'HDLC_REJECTED',
  /** No UA to the SNRM: nothing answers at this server address (wrong address, or no meter). */
  'HDLC_NO_UA',
  'AUTH_REJECTED',
  'KEY_ERROR',
  'OBJECT_UNDEFINED',
  'READ_DENIED',
  'DLMS_ERROR',
  'DECODE_ERROR',
  /** The meter broke the protocol (wrong invoke-id, sequence numbers that acknowledge nothing, an unexpected APDU). */
  'PROTOCOL_VIOLATION',
  /** An answer grew past the size this client accepts for one message. */
  'TOO_LARGE',
  /** The meter's answer lacks the protection the association agreed on (plain, replayed, wrong security control). */
  'SECURITY',
  /** Bytes kept coming, but too slowly to make a whole frame in time. */
  'SLOW_ANSWER',
  /** The meter refused the association for a reason other than a wrong password or key. */
  'ASSOCIATION_REFUSED',
  // --- application
  'CANCELLED',
  /** The runtime's watchdog: an operation ran past its deadline. */
  'OPERATION_DEADLINE',
  'INVALID_REQUEST',
  'UNKNOWN_CHANNEL',
  'FORBIDDEN_SENDER',
  /** The headless station refused a request without the right token. */
  'UNAUTHORIZED',
  'NOT_FOUND',
  'STORAGE_ERROR',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

interface Text {
  message: string;
  remedy: string;
}

function errorText(code: ErrorCode, lang: Lang): Text {
  return { message: t(lang, `error.${code}.message`), remedy: t(lang, `error.${code}.remedy`) };
}

/** The message and remedy of every code in both languages, from the catalogue (shared/i18n). */
export const ERROR_TEXT = Object.fromEntries(
  ERROR_CODES.map((code) => [code, Object.fromEntries(LANGS.map((lang) => [lang, errorText(code, lang)])) as Record<Lang, Text>]),
) as Record<ErrorCode, Record<Lang, Text>>;

/** The plain form of an error: what crosses IPC, goes into a journal, or is printed. */
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  remedy: string;
  /** Technical detail (meter diagnostic, byte offset…): never a secret. */
  detail?: string;
}

export function isErrorCode(x: unknown): x is ErrorCode {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(ERROR_TEXT, x);
}

/** The typed error thrown by the engine, links and services. */
export class OmrError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${ERROR_TEXT[code].en.message} (${detail})` : ERROR_TEXT[code].en.message, options);
    this.name = 'OmrError';
    this.code = code;
    this.detail = detail;
  }
  info(lang: Lang = 'en'): ErrorInfo {
    return errorInfo(this.code, this.detail, lang);
  }
}

export function errorInfo(code: ErrorCode, detail?: string, lang: Lang = 'en'): ErrorInfo {
  const t = ERROR_TEXT[code][lang];
  return detail === undefined ? { code, message: t.message, remedy: t.remedy } : { code, message: t.message, remedy: t.remedy, detail };
}

/** Any thrown value to an ErrorInfo: typed errors keep their code, anything else is INTERNAL. */
export function toErrorInfo(e: unknown, lang: Lang = 'en'): ErrorInfo {
  if (e instanceof OmrError) return e.info(lang);
  if (e && typeof e === 'object' && isErrorCode((e as { code?: unknown }).code)) {
    const o = e as { code: ErrorCode; detail?: unknown };
    return errorInfo(o.code, typeof o.detail === 'string' ? o.detail : undefined, lang);
  }
  const msg = e instanceof Error ? e.message : String(e);
  return errorInfo('INTERNAL', msg, lang);
}

/** Translate an ErrorInfo that was produced in another language (e.g. read from a journal). */
export function localiseError(e: ErrorInfo, lang: Lang): ErrorInfo {
  return isErrorCode(e.code) ? errorInfo(e.code, e.detail, lang) : e;
}
