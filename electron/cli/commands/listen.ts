/**
 * `omr listen`: decode what a meter sends by itself on its customer port — DLMS pushes (HDLC,
 * M-Bus, bare APDU, general-block-transfer, ciphered or not) and P1 telegrams — recognised
 * automatically on one port (serial or a TCP bridge). Every message gets a verdict naming the
 * layer that failed, if one did; listening goes on. Ctrl-C stops.
 */
import { readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { HDLC_LINE, type LineSettings } from '../../link/types';
import { SerialLink } from '../../link/serial';
import { TcpLink } from '../../link/tcp';
import { parsePushKeyFile } from '../../features/read/dlms-read';
import { loadLayouts } from '../../features/listen/layouts';
import { DEFAULT_SILENCE_MS, listen, resultJson } from '../../features/listen/listener';
import { ListenMqtt } from '../../features/listen/mqtt';
import type { FrameResult } from '../../engine/customer-port/decoder';
import { EXIT, parse, UsageError, type CliIo } from '../options';

export const LISTEN_USAGE = `Usage: omr listen (--port PATH | --tcp HOST:PORT) [--baud N] [--line 8N1|7E1] [--p1-legacy]
                  [--key-file FILE] [--allow-plain] [--layouts DIR] [--silence MS] [--json]
                  [--mqtt URL [--mqtt-user NAME] [--mqtt-id ID] [--mqtt-topic BASE]]

  HDLC, M-Bus, bare APDU and P1 text are recognised automatically.
  --port PATH      the customer port (P1 / HAN / M-Bus user port) adapter
  --tcp HOST:PORT  a TCP bridge that forwards the port's bytes
  --baud N         line speed (default 115200, P1 DSMR 4/5; many HAN pushes use 2400 or 9600)
  --line 8N1|7E1   character format (default 8N1)
  --p1-legacy      DSMR 2.2/3 P1: 9600 7E1 (without --baud, --line or this, 9600 7E1 is tried by
                   itself when 115200 8N1 gives only garbage)
  --key-file FILE  encryption key, and authentication key when the operator gives one: JSON or
                   name=value lines, hex with or without 0x, spaces or colons (or OMR_KEY_FILE)
  --allow-plain    accept unciphered frames although a key is set (refused otherwise)
  --layouts DIR    extra list layouts (*.json), default <data-dir>/layouts
  --silence MS     quiet time that ends a message (default ${DEFAULT_SILENCE_MS})
  --json           one JSON object per frame or telegram
  --mqtt URL       also publish to this broker (mqtt://host:1883): each message as JSON on
                   <base>/<id>/listen/<list>, numeric values retained on …/<list>/<obis>,
                   refused frames on …/listen/verdict (password: OMR_MQTT_PASSWORD)
  --mqtt-user NAME broker user name
  --mqtt-id ID     device id in the topics (default omr_<hostname>)
  --mqtt-topic B   base topic (default omr)
`;

/** Keys in the usual spellings: 0x prefix, spaces, colons or dashes between bytes. */
export function normaliseKeyText(text: string): string {
  return text.replace(
    /(=|:|"\s*:\s*")\s*((?:0x)?[0-9a-fA-F]{2}(?:[\s:-]*(?:0x)?[0-9a-fA-F]{2}){15})\b/g,
    (_m, sep: string, key: string) => `${sep}${key.replace(/0x/gi, '').replace(/[\s:-]/g, '')}`,
  );
}

export async function listenCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    args,
    {
      port: { type: 'string' },
      tcp: { type: 'string' },
      baud: { type: 'string' },
      line: { type: 'string' },
      'p1-legacy': { type: 'boolean' },
      'key-file': { type: 'string' },
      'allow-plain': { type: 'boolean' },
      layouts: { type: 'string' },
      silence: { type: 'string' },
      json: { type: 'boolean' },
      mqtt: { type: 'string' },
      'mqtt-user': { type: 'string' },
      'mqtt-id': { type: 'string' },
      'mqtt-topic': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    LISTEN_USAGE,
  );
  if (values.help) {
    io.stdout.write(LISTEN_USAGE);
    return EXIT.ok;
  }
  if ((values.port === undefined) === (values.tcp === undefined)) throw new UsageError(`choose one of --port, --tcp\n\n${LISTEN_USAGE}`);
  const legacy = !!values['p1-legacy'];
  const baud = values.baud === undefined ? (legacy ? 9600 : 115200) : Number(values.baud);
  if (!Number.isInteger(baud) || baud < 300 || baud > 921600) throw new UsageError(`--baud wants a speed such as 9600 or 115200\n\n${LISTEN_USAGE}`);
  const format = (values.line ?? (legacy ? '7E1' : '8N1')).toUpperCase();
  if (format !== '8N1' && format !== '7E1') throw new UsageError(`--line wants 8N1 or 7E1\n\n${LISTEN_USAGE}`);
  const line: LineSettings = format === '7E1' ? { baudRate: baud, dataBits: 7, parity: 'even', stopBits: 1 } : HDLC_LINE(baud);
  const silenceMs = values.silence === undefined ? DEFAULT_SILENCE_MS : Number(values.silence);
  if (!Number.isInteger(silenceMs) || silenceMs < 20 || silenceMs > 60000)
    throw new UsageError(`--silence wants milliseconds between 20 and 60000\n\n${LISTEN_USAGE}`);
  const keyFile = values['key-file'] ?? io.env.OMR_KEY_FILE;
  let keys: ReturnType<typeof parsePushKeyFile> | undefined;
  if (keyFile) {
    let text: string;
    try {
      text = readFileSync(keyFile, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read the key file ${keyFile}: ${(e as Error).message}\n\n${LISTEN_USAGE}`);
    }
    keys = parsePushKeyFile(normaliseKeyText(text));
  }
  const dataDir = io.env.OMR_DATA_DIR ?? join(homedir(), '.optical-meter-reader');
  const layouts = loadLayouts(values.layouts ?? join(dataDir, 'layouts'));
  const tcp = values.tcp ? /^(.+):(\d{1,5})$/.exec(values.tcp) : undefined;
  if (values.tcp && !tcp) throw new UsageError(`--tcp wants HOST:PORT\n\n${LISTEN_USAGE}`);
  if (values.mqtt !== undefined && !/^mqtts?:\/\/[^/\s]+/.test(values.mqtt))
    throw new UsageError(`--mqtt wants mqtt://host:port or mqtts://host:port\n\n${LISTEN_USAGE}`);
  const mqtt = values.mqtt
    ? new ListenMqtt({
        url: values.mqtt,
        deviceId: values['mqtt-id'] ?? `omr_${hostname()}`,
        ...(values['mqtt-topic'] ? { baseTopic: values['mqtt-topic'] } : {}),
        ...(values['mqtt-user'] ? { username: values['mqtt-user'] } : {}),
        ...(io.env.OMR_MQTT_PASSWORD ? { password: io.env.OMR_MQTT_PASSWORD } : {}),
      })
    : undefined;
  if (mqtt) {
    try {
      await mqtt.connected();
    } catch (e) {
      await mqtt.close(100);
      throw new UsageError(`${(e as Error).message}\n\n${LISTEN_USAGE}`);
    }
  }
  const link = tcp ? await TcpLink.connect(tcp[1]!, Number(tcp[2]), { line }) : await SerialLink.open(values.port!, line);
  if (!values.json) {
    io.stderr.write(
      `listening on ${link.description} (${baud} ${format}), ${layouts.length} layout(s)${keys ? '' : ', no key: ciphered frames will be reported'}; Ctrl-C stops\n`,
    );
  }
  let n = 0;
  const summary = await listen(link, {
    ...(keys ? { keys } : {}),
    allowPlain: !!values['allow-plain'],
    layouts,
    silenceMs,
    // Nothing said about the line: the DSMR 4/5 default, and DSMR 2.2/3's 9600 7E1 tried once when it gives only garbage.
    ...(values.baud === undefined && values.line === undefined && !legacy
      ? {
          fallbackLine: { baudRate: 9600, dataBits: 7 as const, parity: 'even' as const },
          onLineChange: () => io.stderr.write(`no whole message at ${baud} ${format}: listening at 9600 7E1 (DSMR 2.2/3) now\n`),
        }
      : {}),
    ...(io.signal ? { signal: io.signal } : {}),
    onResult: (r) => {
      n++;
      io.stdout.write(values.json ? `${JSON.stringify(resultJson(r))}\n` : textOf(r, n));
      mqtt?.publish(r);
    },
  });
  await link.close().catch(() => undefined);
  await mqtt?.close();
  if (!values.json)
    io.stderr.write(
      `${summary.good + summary.warnings} message(s) decoded (${summary.warnings} with a warning), ${summary.bad} not readable${summary.linkError ? `; ${summary.linkError}` : ''}\n`,
    );
  return summary.good + summary.warnings > 0 || summary.bad === 0 ? EXIT.ok : EXIT.failed;
}

function textOf(r: FrameResult, n: number): string {
  const v = r.verdict;
  const lines: string[] = [];
  if (v.status === 'bad') {
    lines.push(`! ${v.code ?? 'ERROR'}: ${v.message}${v.detail ? ` (${v.detail})` : ''} [${r.kind}, ${v.layer}]`);
    lines.push(`  → ${v.remedy}`);
    for (const x of r.unchecked ?? []) lines.push(`  ? ${x.obis.padEnd(16)} ${x.value}${x.unit ? ` ${x.unit}` : ''}  (not checked)`);
    return `${lines.join('\n')}\n`;
  }
  const list = r.list ? (r.list.layout ? ` list ${r.list.layout.name} (${r.list.layout.operator})` : ` list ${r.list.id}`) : '';
  lines.push(
    `${r.kind === 'p1' ? 'telegram' : 'push'} ${n} [${r.kind}]${r.identity ? ` ${r.identity}` : ''}${list}${r.meterTime ? ` at ${r.meterTime}` : ''}${r.crc ? ` CRC ${r.crc}` : ''}`,
  );
  for (const x of r.readings) {
    const what = x.type ? `  (${x.type}, raw ${x.raw ?? ''})` : '';
    lines.push(
      `  ${x.obis.padEnd(16)} ${x.value}${x.unit ? ` ${x.unit}` : ''}${x.captureTime && x.captureTime !== r.meterTime ? ` @ ${x.captureTime}` : ''}${what}`,
    );
  }
  if (v.status === 'warning') lines.push(`  (${v.message}${v.detail ? ` ${v.detail}` : ''} → ${v.remedy})`);
  for (const note of r.notes) lines.push(`  (${note})`);
  return `${lines.join('\n')}\n`;
}
