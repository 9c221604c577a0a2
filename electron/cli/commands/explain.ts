/**
 * `omr explain`: say what some bytes are, layer by layer, with a verdict per layer. The bytes come
 * as hex on the command line, from a file (`--file`, `-` for standard input) or from standard
 * input; spaces, line breaks, `0x` and colons are ignored. `--key-file` deciphers ciphered APDUs
 * and checks their tag; `--system-title` gives the sender's system title for glo/ded ciphering.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { explain, parseHexInput, renderText } from '../../engine/explain/explain';
import { parsePushKeyFile } from '../../features/read/dlms-read';
import { EXIT, UsageError, type CliIo } from '../options';

export const EXPLAIN_USAGE = `Usage: omr explain [HEX…] [--file FILE|-] [--key-file FILE] [--system-title HEX] [--lang en|fr] [--json]

  HEX               the bytes in hex (spaces, 0x and line breaks are ignored); without it, --file or standard input
  --file FILE       read the hex from a file ('-' = standard input)
  --key-file FILE   encryption key (and authentication key): name=value lines or JSON, in hex (or OMR_KEY_FILE)
  --system-title HEX  the sender's system title, for ciphered APDUs that do not carry it
  --lang en|fr      language of the verdicts (default: LANG)
  --json            the explanation as a JSON tree
`;

async function readStdin(io: CliIo): Promise<string> {
  const stdin = io.stdin;
  if (!stdin) return '';
  let text = '';
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (text.length > 4 * 1024 * 1024) throw new UsageError('more than 4 MiB of input: explain one exchange at a time');
  }
  return text;
}

export async function explainCommand(args: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        file: { type: 'string' },
        'key-file': { type: 'string' },
        'system-title': { type: 'string' },
        lang: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${EXPLAIN_USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(EXPLAIN_USAGE);
    return EXIT.ok;
  }
  const lang = values.lang === 'fr' || values.lang === 'en' ? values.lang : /^fr/i.test(io.env.LANG ?? '') ? 'fr' : 'en';
  if (values.lang !== undefined && values.lang !== 'fr' && values.lang !== 'en') throw new UsageError(`--lang wants en or fr\n\n${EXPLAIN_USAGE}`);
  let text: string;
  if (positionals.length) text = positionals.join(' ');
  else if (values.file && values.file !== '-') text = readFileSync(values.file, 'utf8');
  else text = await readStdin(io);
  let bytes: Uint8Array;
  try {
    bytes = parseHexInput(text);
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n\n${EXPLAIN_USAGE}`);
  }
  const keyFile = values['key-file'] ?? io.env.OMR_KEY_FILE;
  const keys = keyFile ? parsePushKeyFile(readFileSync(keyFile, 'utf8')) : undefined;
  let systemTitle: Uint8Array | undefined;
  if (values['system-title'] !== undefined) {
    try {
      systemTitle = parseHexInput(values['system-title']);
    } catch (e) {
      throw new UsageError(`--system-title: ${(e as Error).message}`);
    }
    if (systemTitle.length !== 8) throw new UsageError('--system-title wants 8 bytes (16 hex digits)');
  }
  const layers = explain(bytes, { lang, ...(keys ? { keys } : {}), ...(systemTitle ? { systemTitle } : {}) });
  if (values.json) io.stdout.write(`${JSON.stringify({ bytes: bytes.length, layers }, null, 2)}\n`);
  else io.stdout.write(renderText(layers, lang));
  const allOk = (ls: typeof layers): boolean => ls.every((l) => l.verdict.ok && allOk(l.inner ?? []));
  return allOk(layers) ? EXIT.ok : EXIT.failed;
}
