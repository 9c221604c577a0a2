/**
 * Explain bytes layer by layer: what they are and whether each layer is whole. Recognised from
 * the first byte: IEC 62056-21 messages (`/` identification or request, ACK option select, STX
 * data message with its BCC, SOH programming command, NAK), HDLC frames (7E, one or several;
 * HCS and FCS checked; LLC header; segments joined when the frames are consecutive segments),
 * M-Bus long frames (68 L L 68 … CS 16; checksum checked), the DLMS wrapper (00 01), and bare
 * APDUs. Sans-IO and total: every input gives a tree, damaged input a layer with a bad verdict.
 */
import { crcMatches } from '../hdlc/crc';
import { decodeFrame, describeControl, FLAG, type HdlcFrame } from '../hdlc/frame';
import { formatAddress } from '../hdlc/address';
import { decodeParameters } from '../hdlc/params';
import { bcc, latin1, parseIdentification, parseOptionSelect, visible } from '../iec62056-21/codec';
import { parseDataBlock } from '../iec62056-21/readout';
import { OmrError } from '../../../shared/errors';
import { decodeMbusFrame, MbusAssembler, MbusError, type MbusFrame } from '../customer-port/mbus';
import { concat } from '../dlms/bytes';
import { decodeGeneralBlock } from '../dlms/general-block';
import { explainApdu, type ApduContext } from './apdu';
import { bad, hex, ok, t, type DataNode, type Field, type Layer } from './types';

export type { Layer } from './types';

/** Hex as people paste it: spaces, line breaks, `0x` prefixes, colons, commas, `#` comments. */
export function parseHexInput(text: string): Uint8Array {
  const clean = text
    .replace(/#[^\n]*/g, '')
    .replace(/0x/gi, '')
    .replace(/[\s:,;-]/g, '');
  if (!/^[0-9a-fA-F]*$/.test(clean)) {
    const at = clean.search(/[^0-9a-fA-F]/);
    throw new Error(`not hexadecimal at character ${at + 1}: '${clean[at]}'`);
  }
  if (clean.length % 2) throw new Error('an odd number of hex digits: one is missing');
  return Uint8Array.from(clean.match(/../g) ?? [], (x) => parseInt(x, 16));
}

const STX = 0x02;
const SOH = 0x01;
const ETX = 0x03;
const EOT = 0x04;

function explainIec(b: Uint8Array): Layer {
  const text = latin1(b);
  if (b[0] === 0x15) return { layer: 'IEC 62056-21', summary: 'NAK: repeat the last message', verdict: ok(), fields: [] };
  if (b[0] === 0x06) {
    const o = parseOptionSelect(b);
    if (!o)
      return {
        layer: 'IEC 62056-21',
        summary: 'ACK',
        verdict: bad(t('an ACK that is not an option select (ACK V Z Y CR LF)', 'un ACK qui n’est pas une sélection d’option (ACK V Z Y CR LF)')),
        fields: [],
      };
    const mode = { '0': 'data readout', '1': 'programming mode', '2': 'binary mode (HDLC, mode E)' }[o.mode] ?? `mode ${o.mode}`;
    return {
      layer: 'IEC 62056-21',
      summary: `option select: ${mode}`,
      verdict: ok(),
      fields: [
        { name: 'protocol control', value: `${o.protocol}${o.protocol === '2' ? ' (HDLC)' : ''}` },
        { name: 'baud character', value: o.baudChar },
        { name: 'mode', value: mode },
      ],
    };
  }
  if (b[0] === 0x2f) {
    if (text.startsWith('/?'))
      return {
        layer: 'IEC 62056-21',
        summary: `request ${visible(text.trim())}`,
        verdict: text.endsWith('!\r\n') ? ok() : bad(t('a request ends with ! CR LF', 'une requête se termine par ! CR LF')),
        fields: [{ name: 'address', value: text.slice(2, text.indexOf('!')) || '(none)' }],
      };
    const line = text.split('\r\n')[0]!;
    try {
      const id = parseIdentification(line);
      const fields: Field[] = [
        { name: 'manufacturer', value: id.manufacturer },
        { name: 'baud character', value: id.baudChar },
        { name: 'identification', value: id.ident },
        ...(id.enhanced ? [{ name: 'enhanced capability', value: id.enhanced }] : []),
      ];
      return {
        layer: 'IEC 62056-21',
        summary: `identification ${visible(line)}`,
        verdict: text.includes('\r\n')
          ? ok()
          : bad(t('the identification is not ended by CR LF (cut short?)', 'l’identification ne se termine pas par CR LF (coupée ?)')),
        fields,
      };
    } catch (e) {
      return { layer: 'IEC 62056-21', summary: `identification ${visible(line)}`, verdict: bad(t((e as Error).message, (e as Error).message)), fields: [] };
    }
  }
  // STX data message or SOH command: the BCC is the byte after ETX/EOT.
  const start = b[0] === STX || b[0] === SOH ? 1 : 0;
  let end = -1;
  for (let i = start; i < b.length; i++) if (b[i] === ETX || b[i] === EOT) end = i;
  const layer: Layer = { layer: 'IEC 62056-21', summary: b[0] === SOH ? `command ${visible(text.slice(1, 3))}` : 'data message', verdict: ok(), fields: [] };
  if (end < 0) {
    layer.verdict = bad(t('no ETX: the message is cut short', 'pas d’ETX : le message est coupé'), b.length);
    return layer;
  }
  if (end + 1 >= b.length) {
    layer.verdict = bad(t('the BCC after ETX is missing', 'le BCC après ETX manque'), end + 1);
    return layer;
  }
  const expected = bcc(b, start, end + 1);
  layer.fields.push({ name: 'BCC', value: `0x${b[end + 1]!.toString(16).padStart(2, '0')} (computed 0x${expected.toString(16).padStart(2, '0')})` });
  if (expected !== b[end + 1])
    layer.verdict = bad(t('BCC mismatch: the message was damaged on the way', 'BCC faux : le message a été abîmé en route'), end + 1);
  if (b[0] === STX) {
    const block = parseDataBlock(latin1(b, 1, end));
    layer.summary = `data message, ${block.sets.length} data set(s)`;
    layer.inner = [
      {
        layer: 'data sets',
        summary: `${block.sets.length} line(s)`,
        verdict: ok(),
        fields: block.sets.map((s) => ({ name: s.address, value: s.groups.map((g) => `(${g.raw})`).join('') })),
      },
    ];
  }
  return layer;
}

/** Split the input into whole HDLC frames by their length fields. */
function hdlcFrames(b: Uint8Array): { raw: Uint8Array; at: number }[] | { error: Layer } {
  const out: { raw: Uint8Array; at: number }[] = [];
  let p = 0;
  while (p < b.length) {
    if (b[p] === FLAG && b[p + 1] === FLAG) {
      p++;
      continue;
    }
    if (b[p] !== FLAG)
      return {
        error: {
          layer: 'HDLC',
          summary: 'bytes outside a frame',
          verdict: bad(t(`byte 0x${b[p]!.toString(16)} outside a frame at byte ${p}`, `octet 0x${b[p]!.toString(16)} hors trame à l’octet ${p}`), p),
          fields: [],
        },
      };
    if (p + 3 > b.length)
      return {
        error: {
          layer: 'HDLC',
          summary: 'truncated frame',
          verdict: bad(t(`a frame starts at byte ${p} but is cut short`, `une trame commence à l’octet ${p} mais est coupée`), p),
          fields: [],
        },
      };
    const f0 = b[p + 1]!;
    if ((f0 & 0xf0) !== 0xa0)
      return {
        error: {
          layer: 'HDLC',
          summary: 'not a type-3 frame',
          verdict: bad(
            t(
              `format byte 0x${f0.toString(16)} at byte ${p + 1} is not HDLC frame format type 3`,
              `l’octet de format 0x${f0.toString(16)} à l’octet ${p + 1} n’est pas le format de trame HDLC type 3`,
            ),
            p + 1,
          ),
          fields: [],
        },
      };
    const length = ((f0 & 0x07) << 8) | b[p + 2]!;
    const endFlag = p + length + 1;
    if (endFlag >= b.length)
      return {
        error: {
          layer: 'HDLC',
          summary: 'truncated frame',
          verdict: bad(
            t(
              `the length field says ${length} bytes, only ${b.length - p - 2} follow: truncated`,
              `le champ longueur annonce ${length} octets, seuls ${b.length - p - 2} suivent : tronquée`,
            ),
            b.length,
          ),
          fields: [],
        },
      };
    out.push({ raw: b.subarray(p, endFlag + 1), at: p });
    p = endFlag + 1;
  }
  return out;
}

function explainHdlc(b: Uint8Array, ctx: ApduContext): Layer[] {
  const split = hdlcFrames(b);
  if ('error' in split) return [split.error];
  const layers: Layer[] = [];
  let pending: Uint8Array[] = [];
  // General-block-transfer across frames: the blocks' data joined is one APDU.
  let blocks: Uint8Array[] = [];
  for (const { raw, at } of split) {
    let f: HdlcFrame;
    try {
      f = decodeFrame(raw);
    } catch (e) {
      const hcsOk = raw.length > 8 ? crcMatches(raw, 1, raw.length - 3) : false;
      const msg = (e as Error).message;
      layers.push({
        layer: 'HDLC',
        summary: `frame at byte ${at}`,
        verdict: bad(
          t(
            /HCS/.test(msg) ? 'HCS mismatch: the header was damaged' : hcsOk ? msg : `FCS mismatch: the frame was damaged (${msg})`,
            /HCS/.test(msg) ? 'HCS faux : l’en-tête a été abîmé' : `FCS faux : la trame a été abîmée (${msg})`,
          ),
          at,
        ),
        fields: [],
      });
      continue;
    }
    const fields: Field[] = [
      { name: 'destination', value: formatAddress(f.dest) },
      { name: 'source', value: formatAddress(f.src) },
      { name: 'control', value: describeControl(f.control) },
      { name: 'segmented', value: String(f.segmented) },
      { name: 'HCS/FCS', value: 'ok' },
    ];
    const layer: Layer = {
      layer: 'HDLC',
      summary: `${describeControl(f.control)} ${formatAddress(f.src)}→${formatAddress(f.dest)}${f.segmented ? ' (segment)' : ''}`,
      verdict: ok(),
      fields,
    };
    layers.push(layer);
    if ((f.control.kind === 'SNRM' || f.control.kind === 'UA') && f.info.length) {
      try {
        const p = decodeParameters(f.info);
        fields.push({ name: 'parameters', value: `max info tx ${p.maxInfoTx}, rx ${p.maxInfoRx}, window tx ${p.windowTx}, rx ${p.windowRx}` });
      } catch (e) {
        layer.verdict = bad(t(`negotiation block: ${(e as Error).message}`, `bloc de négociation : ${(e as Error).message}`));
      }
      continue;
    }
    if (!f.info.length || (f.control.kind !== 'I' && f.control.kind !== 'UI')) continue;
    pending.push(f.info);
    if (f.segmented) {
      layer.inner = [{ layer: 'segment', summary: `${f.info.length} bytes; more segments follow`, verdict: ok(), fields: [] }];
      continue;
    }
    const info = concat(...pending);
    pending = [];
    const llc = info[0] === 0xe6 && (info[1] === 0xe6 || info[1] === 0xe7) && info[2] === 0x00;
    const apdu = llc ? info.subarray(3) : info;
    const inner = explainApdu(apdu, ctx);
    if (apdu[0] === 0xe0 && inner.verdict.ok) {
      try {
        const block = decodeGeneralBlock(apdu);
        blocks.push(block.data);
        if (block.lastBlock) {
          inner.inner = [explainApdu(concat(...blocks), ctx)];
          blocks = [];
        }
      } catch {
        // The block's own layer already says what is wrong with it.
      }
    }
    layer.inner = llc
      ? [{ layer: 'LLC', summary: info[1] === 0xe6 ? 'E6 E6 00 (client → server)' : 'E6 E7 00 (server → client)', verdict: ok(), fields: [], inner: [inner] }]
      : [inner];
  }
  if (blocks.length)
    layers.push({
      layer: 'general-block-transfer',
      summary: `${blocks.length} block(s) without the last`,
      verdict: bad(t('the last block is missing: the APDU is incomplete', 'le dernier bloc manque : l’APDU est incomplet')),
      fields: [],
    });
  if (pending.length)
    layers.push({
      layer: 'HDLC',
      summary: 'segments without their last frame',
      verdict: bad(t('the last segment is missing: the APDU is incomplete', 'le dernier segment manque : l’APDU est incomplet')),
      fields: [],
    });
  return layers;
}

function explainMbus(b: Uint8Array, ctx: ApduContext): Layer[] {
  const layers: Layer[] = [];
  const assembler = new MbusAssembler();
  let p = 0;
  while (p < b.length) {
    // A long frame is 68 L L 68 … CS 16: L + 6 bytes.
    const size = b[p] === 0x10 ? 5 : (b[p + 1] ?? 0) + 6;
    const raw = b.subarray(p, p + size);
    let frame: MbusFrame;
    try {
      frame = decodeMbusFrame(raw);
    } catch (e) {
      const detail = e instanceof OmrError ? (e.detail ?? e.message) : String(e);
      const checksum = e instanceof MbusError && e.layer === 'checksum';
      layers.push({
        layer: 'M-Bus',
        summary: `frame at byte ${p}`,
        verdict: bad(
          t(
            checksum ? `checksum mismatch: the frame was damaged (${detail})` : detail,
            checksum ? `somme de contrôle fausse : la trame a été abîmée (${detail})` : detail,
          ),
          p,
        ),
        fields: [],
      });
      return layers;
    }
    const fields: Field[] = [
      { name: 'C', value: `0x${frame.control.toString(16)}` },
      { name: 'A', value: String(frame.address) },
      ...(frame.ci !== undefined ? [{ name: 'CI', value: `0x${frame.ci.toString(16)}` }] : []),
      { name: 'checksum', value: 'ok' },
    ];
    if (frame.ci !== undefined && frame.ci < 0x20)
      fields.push(
        { name: 'segment', value: `${frame.ci & 0x0f}${frame.ci & 0x10 ? ' (last)' : ''}` },
        { name: 'STSAP/DTSAP', value: `${frame.data[0]}/${frame.data[1]}` },
      );
    const layer: Layer = { layer: 'M-Bus', summary: frame.short ? 'short frame' : `long frame, ${raw.length - 6} bytes`, verdict: ok(), fields };
    layers.push(layer);
    if (!frame.short) {
      try {
        // DLMS over M-Bus: the segments' APDU parts joined after the last one.
        const apdu = assembler.push(frame);
        if (apdu) layer.inner = [explainApdu(apdu, ctx)];
      } catch (e) {
        layer.verdict = bad(t((e as Error).message, (e as Error).message));
      }
    }
    p += size;
  }
  return layers;
}

/** Explain bytes as they were seen on a line or in a trace. */
export function explain(b: Uint8Array, ctx: ApduContext): Layer[] {
  if (!b.length) return [{ layer: 'input', summary: 'no bytes', verdict: bad(t('nothing to explain', 'rien à expliquer')), fields: [] }];
  const first = b[0]!;
  if (first === FLAG) return explainHdlc(b, ctx);
  if (first === 0x68) return explainMbus(b, ctx);
  if (first === 0x2f || first === 0x06 || first === 0x15 || first === STX || first === SOH) return [explainIec(b)];
  if (first === 0x00 && b[1] === 0x01 && b.length >= 8) {
    const len = (b[6]! << 8) | b[7]!;
    const fields: Field[] = [
      { name: 'source wPort', value: String((b[2]! << 8) | b[3]!) },
      { name: 'destination wPort', value: String((b[4]! << 8) | b[5]!) },
      { name: 'length', value: String(len) },
    ];
    const whole = len === b.length - 8;
    return [
      {
        layer: 'wrapper',
        summary: `DLMS wrapper, ${len} bytes`,
        verdict: whole
          ? ok()
          : bad(t(`the length field says ${len}, ${b.length - 8} bytes follow`, `le champ longueur annonce ${len}, ${b.length - 8} octets suivent`), 6),
        fields,
        inner: [explainApdu(b.subarray(8, 8 + len), ctx)],
      },
    ];
  }
  return [explainApdu(b, ctx)];
}

/** Render the tree as indented text in one language. */
export function renderText(layers: Layer[], lang: 'en' | 'fr', indent = ''): string {
  let out = '';
  for (const l of layers) {
    const v = l.verdict.ok ? (l.verdict.note ? `ok — ${l.verdict.note[lang]}` : 'ok') : `✗ ${l.verdict.problem[lang]}`;
    out += `${indent}${l.layer}: ${l.summary}  [${v}]\n`;
    for (const f of l.fields) out += `${indent}  ${f.name}: ${f.value}\n`;
    if (l.data) out += renderData(l.data, `${indent}  `);
    if (l.inner) out += renderText(l.inner, lang, `${indent}  `);
  }
  return out;
}

function renderData(n: DataNode, indent: string): string {
  let out = `${indent}${n.type}${n.value !== undefined && !n.children ? ` ${n.value}` : ''}${n.meaning ? `  = ${n.meaning}` : ''}\n`;
  for (const c of n.children ?? []) out += renderData(c, `${indent}  `);
  return out;
}

export { hex };
