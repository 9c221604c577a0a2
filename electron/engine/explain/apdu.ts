/**
 * One xDLMS or ACSE APDU explained: association (AARQ/AARE with result and diagnostic named,
 * release), GET/SET/ACTION, data-notification, exception, general-block-transfer, and the
 * ciphered forms (security control, system title, invocation counter; deciphered and the tag
 * checked when keys are given). Secrets carried by an AARQ (the LLS password, the HLS challenge)
 * are shown as redacted, without their length.
 */
import { OmrError } from '../../../shared/errors';
import { decodeAare, decodeAarq, decodeRlre, decodeRlrq } from '../dlms/acse';
import { decodeData } from '../dlms/axdr';
import { formatDateTime } from '../dlms/datetime';
import { decodeCipheredApdu, decodeSecurityControl, decipherApdu, isCipheredTag, type Keys } from '../dlms/security';
import { TAG, type AttributeRequest, type GetDataResult } from '../dlms/apdu';
import { decodeInitiateRequest, decodeInitiateResponse } from '../dlms/initiate';
import { decodeConfirmedServiceError, decodeExceptionResponse } from '../dlms/exception';
import { decodeGetRequest, decodeGetResponse } from '../dlms/get';
import { decodeActionRequest, decodeActionResponse } from '../dlms/action';
import { decodeDataNotification } from '../dlms/notification';
import { decodeGeneralBlock } from '../dlms/general-block';
import { dataTree, logicalName } from './data';
import { bad, hex, ok, t, type Field, type Layer } from './types';

export interface ApduContext {
  lang: 'en' | 'fr';
  keys?: Keys;
  /** The sender's system title for glo/ded ciphering (which does not carry it). */
  systemTitle?: Uint8Array;
}

const APDU_NAMES: Record<number, string> = {
  0x60: 'AARQ',
  0x61: 'AARE',
  0x62: 'RLRQ',
  0x63: 'RLRE',
  [TAG.initiateRequest]: 'InitiateRequest',
  [TAG.initiateResponse]: 'InitiateResponse',
  [TAG.confirmedServiceError]: 'confirmed-service-error',
  [TAG.dataNotification]: 'data-notification',
  [TAG.getRequest]: 'GET.request',
  [TAG.setRequest]: 'SET.request',
  [TAG.eventNotification]: 'event-notification',
  [TAG.actionRequest]: 'ACTION.request',
  [TAG.getResponse]: 'GET.response',
  [TAG.setResponse]: 'SET.response',
  [TAG.actionResponse]: 'ACTION.response',
  [TAG.exceptionResponse]: 'exception-response',
  [TAG.generalBlockTransfer]: 'general-block-transfer',
};

function failure(e: unknown, at?: number) {
  const msg = e instanceof OmrError ? (e.detail ?? e.message) : e instanceof Error ? e.message : String(e);
  return bad(t(msg, msg), at);
}

const descriptorText = (d: AttributeRequest, lang: 'en' | 'fr') =>
  `class ${d.classId} ${logicalName(typeof d.obis === 'string' ? Uint8Array.from(d.obis.split(/[-:.*]/).map(Number)) : Uint8Array.from(d.obis), lang)} attribute ${d.attribute}${d.access ? ` selector ${d.access.selector}` : ''}`;

function resultLayer(res: GetDataResult, lang: 'en' | 'fr', index?: number): Layer {
  const label = index === undefined ? 'result' : `result ${index + 1}`;
  if (!res.ok)
    return {
      layer: 'data-access-result',
      summary: `${label}: ${res.name}`,
      verdict: bad(t(`the meter refused: ${res.name}`, `le compteur a refusé : ${res.name}`)),
      fields: [{ name: 'code', value: String(res.dar) }],
    };
  return { layer: 'data', summary: `${label}: ${res.value.type}`, verdict: ok(), fields: [], data: dataTree(res.value, lang) };
}

function initiateFields(b: Uint8Array): Field[] {
  if (b[0] === TAG.initiateRequest) {
    const q = decodeInitiateRequest(b);
    return [
      { name: 'user information', value: 'InitiateRequest' },
      { name: 'dlms version', value: String(q.dlmsVersion) },
      { name: 'proposed conformance', value: `0x${q.conformance.toString(16).padStart(6, '0')}` },
      { name: 'max receive PDU size', value: String(q.maxReceivePduSize) },
      ...(q.dedicatedKey ? [{ name: 'dedicated key', value: '(redacted)' }] : []),
    ];
  }
  if (b[0] === TAG.initiateResponse) {
    const p = decodeInitiateResponse(b);
    return [
      { name: 'user information', value: 'InitiateResponse' },
      { name: 'dlms version', value: String(p.dlmsVersion) },
      { name: 'negotiated conformance', value: `0x${p.conformance.toString(16).padStart(6, '0')}` },
      { name: 'max receive PDU size', value: String(p.maxReceivePduSize) },
    ];
  }
  if (isCipheredTag(b[0] ?? 0)) return [{ name: 'user information', value: `ciphered (0x${(b[0] ?? 0).toString(16)}, ${b.length} bytes)` }];
  if (b[0] === TAG.confirmedServiceError) return [{ name: 'user information', value: decodeConfirmedServiceError(b).text }];
  return [{ name: 'user information', value: hex(b) }];
}

function explainCiphered(b: Uint8Array, ctx: ApduContext): Layer {
  const c = decodeCipheredApdu(b);
  const sc = decodeSecurityControl(c.securityControl);
  const name = c.tag === 0xdb ? 'general-glo-ciphering' : c.tag === 0xdc ? 'general-ded-ciphering' : `ciphered APDU 0x${c.tag.toString(16)}`;
  const fields: Field[] = [
    {
      name: 'security control',
      value: `0x${c.securityControl.toString(16).padStart(2, '0')} (${[sc.authenticated ? 'authenticated' : '', sc.encrypted ? 'encrypted' : ''].filter(Boolean).join(' + ') || 'not protected'}, suite ${sc.suite})`,
    },
    ...(c.systemTitle ? [{ name: 'system title', value: hex(c.systemTitle) }] : []),
    { name: 'invocation counter', value: String(c.invocationCounter) },
    { name: 'ciphered bytes', value: String(c.ciphered.length) },
  ];
  const layer: Layer = { layer: name, summary: `${name}, IC ${c.invocationCounter}`, verdict: ok(), fields };
  if (!ctx.keys) {
    layer.verdict = ok(t('not deciphered: no key given (--key-file)', 'non déchiffré : aucune clé donnée (--key-file)'));
    return layer;
  }
  try {
    const d = decipherApdu(b, ctx.keys, ctx.systemTitle, { allowUnverified: true });
    if (!d.authenticated && APDU_NAMES[d.plaintext[0] ?? -1] === undefined) {
      // Without a tag to check, a wrong key shows as noise where an APDU should begin.
      layer.verdict = bad(
        t(
          'the deciphered bytes are not an APDU: the encryption key does not match (keys do not match)',
          'les octets déchiffrés ne sont pas un APDU : la clé de chiffrement ne correspond pas',
        ),
      );
      return layer;
    }
    layer.verdict = d.authenticated
      ? ok(t('deciphered, authentication tag verified', 'déchiffré, étiquette d’authentification vérifiée'))
      : ok(t(`deciphered, tag not verified: ${d.note ?? ''}`, `déchiffré, étiquette non vérifiée : ${d.note ?? ''}`));
    layer.inner = [explainApdu(d.plaintext, ctx)];
  } catch (e) {
    const tagMismatch = e instanceof OmrError && /tag mismatch/.test(e.detail ?? e.message);
    layer.verdict = tagMismatch
      ? bad(
          t(
            'authentication tag mismatch: the authentication key (or the encryption key) is wrong',
            'étiquette d’authentification incorrecte : la clé d’authentification (ou de chiffrement) est fausse',
          ),
        )
      : failure(e);
  }
  return layer;
}

/** Explain one APDU (never throws: a damaged APDU is a layer with a bad verdict). */
export function explainApdu(b: Uint8Array, ctx: ApduContext): Layer {
  const tag = b[0] ?? -1;
  const name = APDU_NAMES[tag];
  try {
    if (isCipheredTag(tag)) return explainCiphered(b, ctx);
    switch (tag) {
      case 0x60: {
        const q = decodeAarq(b);
        const fields: Field[] = [
          { name: 'application context', value: q.context },
          { name: 'mechanism', value: q.mechanism },
          ...(q.callingApTitle ? [{ name: 'calling AP title', value: hex(q.callingApTitle) }] : []),
          ...(q.authenticationValue ? [{ name: 'authentication value', value: '(redacted)' }] : []),
          ...initiateFields(q.userInformation),
        ];
        return { layer: 'AARQ', summary: `AARQ ${q.context}, ${q.mechanism}`, verdict: ok(), fields };
      }
      case 0x61: {
        const a = decodeAare(b);
        const fields: Field[] = [
          { name: 'application context', value: a.context ?? 'unknown' },
          { name: 'result', value: `${a.resultName} (${a.result})` },
          { name: 'diagnostic', value: `${a.diagnosticSource}: ${a.diagnosticName} (${a.diagnostic})` },
          ...(a.respondingApTitle ? [{ name: 'responding AP title', value: hex(a.respondingApTitle) }] : []),
          ...(a.mechanism ? [{ name: 'mechanism', value: a.mechanism }] : []),
          ...(a.userInformation ? initiateFields(a.userInformation) : []),
        ];
        const verdict =
          a.result === 0
            ? ok()
            : bad(
                t(
                  `association refused: ${a.resultName}, ${a.diagnosticSource}: ${a.diagnosticName}`,
                  `association refusée : ${a.resultName}, ${a.diagnosticSource} : ${a.diagnosticName}`,
                ),
              );
        return { layer: 'AARE', summary: `AARE ${a.resultName}`, verdict, fields };
      }
      case 0x62:
      case 0x63: {
        const r = tag === 0x62 ? decodeRlrq(b) : decodeRlre(b);
        return { layer: name!, summary: `${name} reason ${r.reason}`, verdict: ok(), fields: [{ name: 'reason', value: String(r.reason) }] };
      }
      case TAG.getRequest: {
        const q = decodeGetRequest(b);
        const fields: Field[] = [{ name: 'invoke id', value: String(q.invokeId) }];
        if (q.type === 'normal') fields.push({ name: 'attribute', value: descriptorText(q.request, ctx.lang) });
        else if (q.type === 'next') fields.push({ name: 'block number', value: String(q.blockNumber) });
        else q.requests.forEach((r, i) => fields.push({ name: `attribute ${i + 1}`, value: descriptorText(r, ctx.lang) }));
        return { layer: 'GET.request', summary: `GET.request ${q.type}`, verdict: ok(), fields };
      }
      case TAG.getResponse: {
        const p = decodeGetResponse(b);
        const fields: Field[] = [{ name: 'invoke id', value: String(p.invokeId) }];
        const layer: Layer = { layer: 'GET.response', summary: `GET.response ${p.type}`, verdict: ok(), fields };
        if (p.type === 'normal') layer.inner = [resultLayer(p.result, ctx.lang)];
        else if (p.type === 'with-list') layer.inner = p.results.map((r, i) => resultLayer(r, ctx.lang, i));
        else if (p.type === 'with-datablock')
          fields.push({ name: 'block', value: `${p.blockNumber}${p.lastBlock ? ' (last)' : ''}, ${p.raw.length} bytes of raw data` });
        else {
          fields.push({ name: 'block', value: String(p.blockNumber) });
          layer.verdict = bad(t(`the meter refused the block: ${p.name}`, `le compteur a refusé le bloc : ${p.name}`));
        }
        return layer;
      }
      case TAG.actionRequest: {
        const q = decodeActionRequest(b);
        const obis = typeof q.obis === 'string' ? q.obis : logicalName(Uint8Array.from(q.obis), ctx.lang);
        return {
          layer: 'ACTION.request',
          summary: `ACTION.request method ${q.method}`,
          verdict: ok(),
          fields: [
            { name: 'invoke id', value: String(q.invokeId) },
            { name: 'method', value: `class ${q.classId} ${obis} method ${q.method}` },
          ],
        };
      }
      case TAG.actionResponse: {
        const p = decodeActionResponse(b);
        return {
          layer: 'ACTION.response',
          summary: `ACTION.response ${p.resultName}`,
          verdict: p.result === 0 ? ok() : bad(t(`action refused: ${p.resultName}`, `action refusée : ${p.resultName}`)),
          fields: [
            { name: 'invoke id', value: String(p.invokeId) },
            { name: 'result', value: `${p.resultName} (${p.result})` },
          ],
        };
      }
      case TAG.dataNotification: {
        const n = decodeDataNotification(b);
        return {
          layer: 'data-notification',
          summary: `data-notification ${n.dateTime ? formatDateTime(n.dateTime) : '(no time)'}`,
          verdict: ok(),
          fields: [
            { name: 'long invoke id', value: String(n.longInvokeId) },
            ...(n.dateTime ? [{ name: 'date-time', value: formatDateTime(n.dateTime) }] : []),
          ],
          inner: [{ layer: 'data', summary: n.body.type, verdict: ok(), fields: [], data: dataTree(n.body, ctx.lang) }],
        };
      }
      case TAG.exceptionResponse: {
        const x = decodeExceptionResponse(b);
        return {
          layer: 'exception-response',
          summary: x.text,
          verdict: bad(t(x.text, x.text)),
          fields: [
            { name: 'state error', value: String(x.stateError) },
            { name: 'service error', value: String(x.serviceError) },
          ],
        };
      }
      case TAG.confirmedServiceError: {
        const x = decodeConfirmedServiceError(b);
        return { layer: 'confirmed-service-error', summary: x.text, verdict: bad(t(x.text, x.text)), fields: [] };
      }
      case TAG.generalBlockTransfer: {
        const g = decodeGeneralBlock(b);
        return {
          layer: 'general-block-transfer',
          summary: `block ${g.blockNumber}${g.lastBlock ? ' (last)' : ''}`,
          verdict: ok(),
          fields: [
            { name: 'block number', value: String(g.blockNumber) },
            { name: 'acknowledged block', value: String(g.blockNumberAck) },
            { name: 'last block', value: String(g.lastBlock) },
            { name: 'block data', value: `${g.data.length} bytes` },
          ],
        };
      }
      case TAG.initiateRequest:
      case TAG.initiateResponse:
        return { layer: name!, summary: name!, verdict: ok(), fields: initiateFields(b) };
      default: {
        if (name) return { layer: name, summary: `${name} (${b.length} bytes, not decoded further)`, verdict: ok(), fields: [] };
        // Perhaps bare A-XDR data (a push without an APDU around it).
        try {
          const v = decodeData(b);
          return {
            layer: 'data',
            summary: `A-XDR ${v.type}`,
            verdict: ok(t('bare A-XDR data, no APDU around it', 'données A-XDR nues, sans APDU autour')),
            fields: [],
            data: dataTree(v, ctx.lang),
          };
        } catch {
          return {
            layer: 'APDU',
            summary: `unknown tag 0x${tag.toString(16)}`,
            verdict: bad(t(`unknown APDU tag 0x${tag.toString(16)} at byte 0`, `étiquette d’APDU inconnue 0x${tag.toString(16)} à l’octet 0`), 0),
            fields: [],
          };
        }
      }
    }
  } catch (e) {
    return {
      layer: name ?? 'APDU',
      summary: `${name ?? 'APDU'} (${b.length} bytes)`,
      verdict: failure(e),
      fields: [{ name: 'bytes', value: hex(b.subarray(0, 64)) + (b.length > 64 ? '…' : '') }],
    };
  }
}
