/**
 * `omr listen`: decode the DLMS pushes a meter sends by itself (customer port, HDLC at 9600 or
 * 115200 8N1, or a TCP bridge), with the customer's keys. A push that cannot be read (wrong or
 * missing key, damaged frame) is reported on its own line and listening goes on. Ctrl-C stops.
 */
import { readFileSync } from 'node:fs';
import { PushDecoder } from '../../engine/dlms/push';
import { HDLC_LINE } from '../../link/types';
import { SerialLink } from '../../link/serial';
import { TcpLink } from '../../link/tcp';
import { parsePushKeyFile } from '../../features/read/dlms-read';
import { EXIT, parse, UsageError, type CliIo } from '../options';

export const LISTEN_USAGE = `Usage: omr listen (--port PATH | --tcp HOST:PORT) [--baud N] [--key-file FILE] [--json]

  --port PATH      the customer port (P1 / HAN) adapter
  --tcp HOST:PORT  a TCP bridge that forwards the port's bytes
  --baud N         line speed, 8N1 (default 9600; some meters push at 115200)
  --key-file FILE  encryption key (and authentication key when known): JSON or name=value lines
                   in hex, e.g. encryption_key=…  (or OMR_KEY_FILE); needed for ciphered pushes
  --json           one JSON object per push
`;

export async function listenCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    args,
    { port: { type: 'string' }, tcp: { type: 'string' }, baud: { type: 'string' }, 'key-file': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    LISTEN_USAGE,
  );
  if (values.help) {
    io.stdout.write(LISTEN_USAGE);
    return EXIT.ok;
  }
  if ((values.port === undefined) === (values.tcp === undefined)) throw new UsageError(`choose one of --port, --tcp\n\n${LISTEN_USAGE}`);
  const baud = values.baud === undefined ? 9600 : Number(values.baud);
  if (!Number.isInteger(baud) || baud < 300 || baud > 921600) throw new UsageError(`--baud wants a speed such as 9600 or 115200\n\n${LISTEN_USAGE}`);
  const keyFile = values['key-file'] ?? io.env.OMR_KEY_FILE;
  let keys: ReturnType<typeof parsePushKeyFile> | undefined;
  if (keyFile) {
    let text: string;
    try {
      text = readFileSync(keyFile, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read the key file ${keyFile}: ${(e as Error).message}\n\n${LISTEN_USAGE}`);
    }
    keys = parsePushKeyFile(text);
  }
  const tcp = values.tcp ? /^(.+):(\d{1,5})$/.exec(values.tcp) : undefined;
  if (values.tcp && !tcp) throw new UsageError(`--tcp wants HOST:PORT\n\n${LISTEN_USAGE}`);
  const link = tcp ? await TcpLink.connect(tcp[1]!, Number(tcp[2]), { line: HDLC_LINE(baud) }) : await SerialLink.open(values.port!, HDLC_LINE(baud));
  const decoder = new PushDecoder(keys ? { keys } : {});
  let pushes = 0;
  let failed = 0;
  if (!values.json) io.stderr.write(`listening on ${link.description} (${baud} 8N1)${keys ? '' : ', no key: ciphered pushes will be reported'}; Ctrl-C stops\n`);
  await new Promise<void>((resolve) => {
    link.onData((bytes) => {
      for (const r of decoder.push(bytes, Date.now())) {
        if (r.kind === 'error') {
          failed++;
          if (values.json) io.stdout.write(`${JSON.stringify({ error: { code: r.error.code, message: r.error.message, ...(r.error.detail ? { detail: r.error.detail } : {}) } })}\n`);
          else io.stdout.write(`! ${r.error.code}: ${r.error.message}${r.error.detail ? ` (${r.error.detail})` : ''}\n`);
          continue;
        }
        pushes++;
        if (values.json) {
          io.stdout.write(`${JSON.stringify({ meterTime: r.meterTime, readings: r.readings.map((x) => ({ obis: x.obis, value: x.value, unit: x.unit, ...(x.scaler !== undefined ? { scaler: x.scaler } : {}) })), notes: r.notes })}\n`);
        } else {
          io.stdout.write(`push ${pushes}${r.meterTime ? ` at ${r.meterTime}` : ''}\n`);
          for (const x of r.readings) io.stdout.write(`  ${x.obis.padEnd(16)} ${x.value}${x.unit ? ` ${x.unit}` : ''}\n`);
          for (const n of r.notes) io.stdout.write(`  (${n})\n`);
        }
      }
    });
    link.onClose(() => resolve());
    io.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await link.close().catch(() => undefined);
  if (!values.json) io.stderr.write(`${pushes} push(es) decoded, ${failed} not readable\n`);
  return pushes > 0 || failed === 0 ? EXIT.ok : EXIT.failed;
}
