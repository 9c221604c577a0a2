/**
 * `omr simulate`: the virtual E450 on a pty pair (prints the path to read), on a serial port, or
 * listening on TCP (127.0.0.1). Runs until Ctrl-C.
 */
import { createVirtualMeterState, startVirtualMeter } from '../../simulator/virtual-meter';
import { loadReplayScript, type ReplayScript } from '../../simulator/replay/script';
import { startReplayMeter } from '../../simulator/replay/runner';
import type { Link } from '../../link/types';
import { readFileSync } from 'node:fs';
import { EXIT, parse, UsageError, type CliIo, faultsFrom } from '../options';
import { simulateP1, SIMULATE_P1_USAGE } from './simulate-p1';
import { serveMeter } from './serve-meter';

import { SimFaultSchema } from '../../../shared/target';

export const SIMULATE_USAGE = `Usage: omr simulate (--pty | --port PATH | --tcp PORT) [--hdlc] [--pace] [--reaction MS] [--fault NAME]...

  --pty          make a pty pair with socat and print the path a reader should open
  --port PATH    answer on this serial port (e.g. one end of a null-modem cable)
  --tcp PORT     listen on 127.0.0.1:PORT (one meter for every connection: its invocation
                 counters, LLS lock-out and clock carry over from one connection to the next)
  --hdlc         speak HDLC/DLMS at once (no IEC 62056-21 handshake): for DLMS clients over TCP
                 (server logical 1, physical 17; clients 16 public, 32 LLS 00000000, 1 HLS-GMAC)
  --pace         send at the real speed of the line and react after the reaction time
  --reaction MS  the meter's reaction time with --pace (default 200)
  --fault NAME   inject a fault: ${SimFaultSchema.options.join(', ')}
  --replay TRACE play a recorded trace back as the meter (omr read --trace, or a session journal):
                 each request that matches the recording gets the recorded answer (HDLC sequence
                 numbers, invoke-ids and check sequences are recomputed; redacted bytes match
                 anything); where the reader asks something else, the divergence is printed
`;

export async function simulateCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    args,
    {
      pty: { type: 'boolean' },
      port: { type: 'string' },
      tcp: { type: 'string' },
      pace: { type: 'boolean' },
      hdlc: { type: 'boolean' },
      reaction: { type: 'string' },
      fault: { type: 'string', multiple: true },
      replay: { type: 'string' },
      p1: { type: 'boolean' },
      interval: { type: 'string' },
      'p1-fault': { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    SIMULATE_USAGE,
  );
  if (values.help) {
    io.stdout.write(`${SIMULATE_USAGE}\n${SIMULATE_P1_USAGE}`);
    return EXIT.ok;
  }
  if (values.p1) {
    if ([!!values.pty, values.port !== undefined, values.tcp !== undefined].filter(Boolean).length !== 1)
      throw new UsageError(`choose exactly one of --pty, --port, --tcp\n\n${SIMULATE_P1_USAGE}`);
    return simulateP1(values, io);
  }
  if ([!!values.pty, values.port !== undefined, values.tcp !== undefined].filter(Boolean).length !== 1) {
    throw new UsageError(`choose exactly one of --pty, --port, --tcp\n\n${SIMULATE_USAGE}`);
  }
  const faults = faultsFrom(values.fault, SIMULATE_USAGE);
  const reactionMs = values.reaction === undefined ? 200 : Number(values.reaction);
  if (!Number.isInteger(reactionMs) || reactionMs < 0 || reactionMs > 60000)
    throw new UsageError(`--reaction wants milliseconds, got '${values.reaction}'\n\n${SIMULATE_USAGE}`);
  const options = { pace: !!values.pace, reactionMs, faults, ...(values.hdlc ? { directHdlc: true } : {}) };
  let script: ReplayScript | undefined;
  if (values.replay !== undefined) {
    try {
      script = loadReplayScript(readFileSync(values.replay, 'utf8'));
    } catch (e) {
      throw new UsageError(`--replay ${values.replay}: ${(e as Error).message}\n\n${SIMULATE_USAGE}`);
    }
  }
  // One meter for the whole process, whatever the number of links that reach it.
  const shared = script ? undefined : createVirtualMeterState();
  const startMeter = (link: Link): { stop(): void } => {
    if (!script) return startVirtualMeter(link, { ...options, ...(shared ? { meter: shared } : {}) });
    const total = script.steps.length;
    const meter = startReplayMeter(link, script, { pace: !!values.pace });
    meter.on((e) => {
      if (e.type === 'diverged')
        io.stderr.write(
          `replay: the reader diverged from the recording at step ${e.step + 1} of ${total}\n  expected: ${e.expectedSummary}${e.expected ? ` ${e.expected}` : ''}\n  received: ${e.got}\n`,
        );
      else if (e.type === 'finished') io.stderr.write(`replay: all ${e.steps} recorded requests answered\n`);
    });
    return meter;
  };

  return serveMeter(
    {
      tcp: values.tcp,
      pty: !!values.pty,
      port: values.port,
      usage: SIMULATE_USAGE,
      names: { tcp: script ? `replaying ${values.replay}` : 'virtual E450', serial: 'virtual E450' },
      verbs: { pty: 'read it on', port: 'answering on' },
    },
    io,
    startMeter,
  );
}
