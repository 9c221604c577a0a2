/**
 * `omr simulate --p1`: the virtual P1 meter — a DSMR 5 telegram every second with moving values,
 * on TCP (127.0.0.1:PORT), a pty pair, or a serial port; faults on demand: a bad CRC, a telegram
 * cut short, or 7E1 characters on an 8N1 line.
 */
import { HDLC_LINE } from '../../link/types';
import { startP1Meter } from '../../simulator/p1/meter';
import { newP1State, P1_FAULTS, type P1Fault } from '../../simulator/p1/telegram';
import { UsageError, type CliIo } from '../options';
import { serveMeter } from './serve-meter';

export const SIMULATE_P1_USAGE = `Usage: omr simulate --p1 (--tcp PORT | --pty | --port PATH) [--interval MS] [--p1-fault NAME]...

  --p1             act as a P1 (DSMR 5) meter: a telegram every second, values moving
  --interval MS    time between telegrams (default 1000)
  --p1-fault NAME  ${P1_FAULTS.join(', ')} (bad-crc and cut-short hit every third telegram;
                   7e1 sends 7-bit characters with even parity, as a DSMR 2.2/3 meter, on 8N1)
`;

export interface SimulateP1Values {
  pty?: boolean | undefined;
  port?: string | undefined;
  tcp?: string | undefined;
  interval?: string | undefined;
  'p1-fault'?: string[] | undefined;
}

export async function simulateP1(values: SimulateP1Values, io: CliIo): Promise<number> {
  const faults = (values['p1-fault'] ?? []).map((f) => {
    if (!P1_FAULTS.includes(f as P1Fault)) throw new UsageError(`unknown P1 fault '${f}'\n\n${SIMULATE_P1_USAGE}`);
    return f as P1Fault;
  });
  const intervalMs = values.interval === undefined ? 1000 : Number(values.interval);
  if (!Number.isInteger(intervalMs) || intervalMs < 50 || intervalMs > 60000)
    throw new UsageError(`--interval wants milliseconds between 50 and 60000\n\n${SIMULATE_P1_USAGE}`);
  const state = newP1State();
  return serveMeter(
    {
      tcp: values.tcp,
      pty: !!values.pty,
      port: values.port,
      line: HDLC_LINE(115200),
      usage: SIMULATE_P1_USAGE,
      names: { tcp: 'virtual P1 meter', serial: 'virtual P1 meter' },
      verbs: { pty: 'listen on', port: 'sending on' },
    },
    io,
    (link) => startP1Meter(link, { intervalMs, faults, state }),
  );
}
