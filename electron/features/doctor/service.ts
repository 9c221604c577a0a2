/**
 * The doctor wired to the real world: opens the target through Targets, probes the head with the
 * IEC 62056-21 engine (an identification request, then a short readout), and runs the ordered
 * checks. The CLI (`omr doctor`) and the Diagnose panel both call this.
 */
import type { Lang } from '../../../shared/errors';
import type { SimFault } from '../../../shared/target';
import type { Settings } from '../../../shared/settings';
import { serialportList } from '../../link/serial';
import type { HostFs } from '../../runtime/hostfs';
import { iecOptions, runIec } from '../read/iec';
import type { OpenedTarget, Targets } from '../ports/targets';
import { runDoctor, type ProbeResult } from './run';
import type { Check, DoctorReport } from '../../../shared/doctor';

export interface DiagnoseOptions {
  target: string;
  lang: Lang;
  targets: Targets;
  settings: Settings;
  simFaults?: SimFault[];
  onCheck?: (check: Check) => void;
  /** serialport's list for the adapter check on Windows and macOS (skipped in tests). */
  listPorts?: boolean;
  /** Root of /sys, /proc, /dev, /etc (the same HostFs as port discovery); default the real host. */
  fs?: HostFs;
}

/** Probe an opened link: identification first, then a short readout that is stopped early. */
export async function probeLink(opened: OpenedTarget, settings: Settings): Promise<ProbeResult> {
  let parityErrors = 0;
  let firstRx = '';
  let echoSeen = false;
  let firstTx = '';
  const ident = await runIec(opened.link, iecOptions(settings, { purpose: 'identify' }), {
    onParityErrors: (n) => (parityErrors += n),
    onTrace: (e) => {
      if (e.dir === 'tx' && !firstTx) firstTx = e.hex;
      if (e.dir === 'rx') {
        if (firstRx.length < 64) firstRx += e.hex;
        if (firstTx && e.hex.startsWith(firstTx.slice(0, 6))) echoSeen = true;
      }
    },
  });
  const code = ident.error?.code;
  const base: ProbeResult = {
    echoOnly: code === 'ECHO_ONLY',
    noAnswer: code === 'NO_ECHO_NO_ANSWER',
    garbage: !ident.identity && (code === 'GARBLED' || code === 'PARITY_ERROR' || parityErrors > 0),
    parityErrors,
    echoSeen,
    modes: { readout: !!ident.identity, modeE: !!ident.identity?.modeE, reducedReactionTime: !!ident.identity?.reducedReactionTime },
    ...(ident.identity ? { identity: ident.identity, identLine: ident.identity.raw } : {}),
    ...(ident.error ? { error: { code: ident.error.code, ...(ident.error.detail ? { detail: ident.error.detail } : {}) } } : {}),
    ...(!ident.identity && firstRx ? { rxHex: firstRx.slice(0, 64) } : {}),
  };
  if (!ident.identity) return base;

  // A short read: start the readout and stop once a few lines have arrived (a full readout of a
  // meter with long histories takes minutes at 300 baud).
  const stop = new AbortController();
  const read = await runIec(
    opened.link,
    iecOptions(settings, { purpose: 'readout' }),
    {
      onProgress: (bytes) => {
        if (bytes >= 160) stop.abort();
      },
      onParityErrors: (n) => (base.parityErrors += n),
    },
    stop.signal,
  );
  const lines = read.readings.length;
  const ok = lines > 0;
  return {
    ...base,
    shortReadOk: ok,
    shortReadSummary: `${lines} data line(s)${read.warnings.length ? `; ${read.warnings.map((w) => w.code).join(', ')}` : ''}`,
    ...(!ok && read.error ? { error: { code: read.error.code, ...(read.error.detail ? { detail: read.error.detail } : {}) } } : {}),
  };
}

export async function diagnose(o: DiagnoseOptions): Promise<DoctorReport> {
  let opened: OpenedTarget | undefined;
  let ports: { path: string; manufacturer?: string; vendorId?: string; productId?: string; serialNumber?: string; pnpId?: string }[] | undefined;
  if (o.listPorts && process.platform !== 'linux') {
    ports = await serialportList().catch(() => undefined);
  }
  return runDoctor({
    port: o.target,
    lang: o.lang,
    ...(o.fs ? { fs: o.fs } : {}),
    ...(ports ? { ports: ports as never } : {}),
    ...(o.onCheck ? { onCheck: o.onCheck } : {}),
    openPort: async (port) => {
      opened = await o.targets.open(port, o.simFaults ? { simFaults: o.simFaults } : {});
    },
    probe: () => probeLink(opened!, o.settings),
    closePort: async () => {
      await opened?.close();
      opened = undefined;
    },
  });
}
