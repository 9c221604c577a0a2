/**
 * `omr doctor`: walk the chain from the USB adapter to the meter's data and stop at the first
 * broken link, with the remedy. Never changes the system: commands are shown, not run.
 */
import { DEFAULT_SETTINGS } from '../../../shared/settings';
import { diagnose } from '../../features/doctor/service';
import { formatReport } from '../../../shared/doctor';
import { Targets } from '../../features/ports/targets';
import { EXIT, parse, UsageError, type CliIo, faultsFrom, targetFrom } from '../options';

export const DOCTOR_USAGE = `Usage: omr doctor (--port PATH | --tcp HOST:PORT | --simulator) [--json] [--lang en|fr]

  --port PATH      the optical head's serial port ('' lets the doctor find the adapter)
  --tcp HOST:PORT  a network optical head
  --simulator      the built-in virtual E450 (with --fault to practise)
  --fault NAME     simulator only: silence, echo, noise, parity, slow, …
  --json           the report as JSON
  --lang en|fr     language of the report (default: from LANG)
`;

export async function doctorCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    args,
    {
      port: { type: 'string' },
      tcp: { type: 'string' },
      simulator: { type: 'boolean' },
      fault: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      lang: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    DOCTOR_USAGE,
  );
  if (values.help) {
    io.stdout.write(DOCTOR_USAGE);
    return EXIT.ok;
  }
  const target = values.port === '' ? '' : targetFrom(values, DOCTOR_USAGE);
  const lang = values.lang ?? ((io.env.LANG ?? '').toLowerCase().startsWith('fr') ? 'fr' : 'en');
  if (lang !== 'en' && lang !== 'fr') throw new UsageError(`--lang wants en or fr\n\n${DOCTOR_USAGE}`);
  const faults = faultsFrom(values.fault, DOCTOR_USAGE);
  const report = await diagnose({
    target,
    lang,
    targets: new Targets({ virtualMeter: { pace: true, faults } }),
    settings: DEFAULT_SETTINGS,
    simFaults: faults,
    listPorts: true,
    ...(values.json ? {} : { onCheck: (c) => io.stderr.write(io.stderr.isTTY ? `  … ${c.id}: ${c.status}\n` : '') }),
  });
  io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, lang));
  return report.firstFailure ? EXIT.failed : EXIT.ok;
}
