import { describe, expect, it, vi } from 'vitest';
import { ERROR_TEXT, OmrError } from '../../../shared/errors';
import { HostFs } from '../../../electron/runtime/hostfs';
import { probeChecks, runDoctor, type DoctorDeps, type ProbeResult } from '../../../electron/features/doctor/run';
import { currentUser } from '../../../electron/features/doctor/system';
import type { Check, CheckId } from '../../../shared/doctor';
import { FIXTURES_USABLE, fixtureFs } from '../../fixtures/hostfs/fixture-hostfs';

const E450: ProbeResult = {
  echoOnly: false,
  noAnswer: false,
  garbage: false,
  parityErrors: 0,
  echoSeen: true,
  identLine: '/LGZ5\\2ZMF100AC.d2',
  modes: { readout: true, modeE: true, reducedReactionTime: false },
  shortReadOk: true,
  shortReadSummary: '14 data lines',
};
const NOTHING: ProbeResult = {
  echoOnly: false,
  noAnswer: false,
  garbage: false,
  parityErrors: 0,
  modes: { readout: false, modeE: false, reducedReactionTime: false },
};

/** Fake port and engine: records what the doctor did with them. */
function fakes(probe: () => Promise<ProbeResult>, open: (port: string) => Promise<void> = async () => undefined) {
  const calls: string[] = [];
  return {
    calls,
    deps: {
      openPort: vi.fn(async (port: string) => {
        calls.push(`open ${port}`);
        await open(port);
      }),
      probe: vi.fn(async () => {
        calls.push('probe');
        return probe();
      }),
      closePort: vi.fn(async () => {
        calls.push('close');
      }),
    },
  };
}

function deps(situation: string, port: string, f: ReturnType<typeof fakes>['deps'], extra: Partial<DoctorDeps> = {}): DoctorDeps {
  const fs = fixtureFs(situation);
  let tick = Date.parse('2025-03-01T08:00:00Z');
  return { port, fs, user: currentUser(fs), platform: 'linux', now: () => new Date((tick += 1000)), ...f, ...extra };
}

const statuses = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.id, c.status])) as Record<CheckId, string>;

describe.skipIf(!FIXTURES_USABLE)('runDoctor on fixture trees with a fake port and engine', () => {
  it('walks the whole chain in order on a healthy head and closes the port', async () => {
    const f = fakes(async () => E450);
    const seen: CheckId[] = [];
    const report = await runDoctor(deps('healthy-ftdi', '/dev/ttyUSB0', f.deps, { onCheck: (c) => seen.push(c.id) }));
    expect(report.checks.map((c) => c.id)).toEqual(['adapter', 'permission', 'conflicts', 'open', 'head', 'meter']);
    expect(seen).toEqual(report.checks.map((c) => c.id));
    expect(report.checks.every((c) => c.status === 'pass')).toBe(true);
    expect(report.firstFailure).toBeUndefined();
    expect(f.calls).toEqual(['open /dev/ttyUSB0', 'probe', 'close']);
    expect(report).toMatchObject({ port: '/dev/ttyUSB0', platform: 'linux', lang: 'en', startedAt: '2025-03-01T08:00:01.000Z' });
    expect(Date.parse(report.finishedAt)).toBeGreaterThan(Date.parse(report.startedAt));
    const meter = report.checks[5]!;
    expect(meter.seen).toBe('Identification /LGZ5\\2ZMF100AC.d2. Offers: data readout (mode C), mode E (HDLC / DLMS). A short read got data (14 data lines).');
    expect(meter.facts).toMatchObject({ modeE: true, readout: true, reducedReactionTime: false });
    expect(report.checks[4]!.seen).toContain('echo was seen and skipped');
    expect(report.checks[3]!.seen).toBe('/dev/ttyUSB0 opened at 300 baud 7E1.');
  });

  it('finds the head when no port is given and diagnoses that port', async () => {
    const f = fakes(async () => E450);
    const report = await runDoctor(deps('healthy-ftdi', '', f.deps));
    expect(f.deps.openPort).toHaveBeenCalledWith('/dev/ttyUSB0');
    expect(report.port).toBe('/dev/ttyUSB0');
    expect(report.checks.map((c) => c.status)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
  });

  it.each([
    ['driver-missing', 'adapter'],
    ['brltty-claimed', 'adapter'],
    ['no-permission', 'permission'],
    ['group-not-active', 'permission'],
    ['brltty-ch340', 'conflicts'],
    ['held-by-process', 'conflicts'],
  ] as const)('%s: stops at %s, never opens the port, and skips the rest', async (situation, failing) => {
    const f = fakes(async () => E450);
    const report = await runDoctor(deps(situation, '/dev/ttyUSB0', f.deps));
    expect(report.firstFailure).toBe(failing);
    expect(f.deps.openPort).not.toHaveBeenCalled();
    expect(f.deps.closePort).not.toHaveBeenCalled();
    const at = report.checks.findIndex((c) => c.id === failing);
    expect(report.checks[at]!.status).toBe('fail');
    expect(report.checks[at]!.remedy).toBeTruthy();
    for (const c of report.checks.slice(at + 1)) {
      expect(c.status).toBe('skipped');
      expect(c.seen).toBe('Not run: an earlier step failed.');
      expect(c.i18n.fr.seen).toBe('Non effectué : une étape précédente a échoué.');
    }
    for (const c of report.checks.slice(0, at)) expect(c.status).not.toBe('fail');
  });

  it('does not stop on a warning (ModemManager) and goes on to the meter', async () => {
    const f = fakes(async () => E450);
    const report = await runDoctor(deps('modemmanager', '/dev/ttyUSB0', f.deps));
    expect(statuses(report.checks)).toEqual({ adapter: 'pass', permission: 'pass', conflicts: 'warning', open: 'pass', head: 'pass', meter: 'pass' });
    expect(report.firstFailure).toBeUndefined();
  });

  it('turns a check that throws into a failed check instead of crashing', async () => {
    class BrokenFs extends HostFs {
      override readDir(): string[] {
        throw new Error('EIO');
      }
    }
    const f = fakes(async () => E450);
    const report = await runDoctor({ ...deps('healthy-ftdi', '/dev/ttyUSB0', f.deps), fs: new BrokenFs('/nonexistent') });
    expect(report.checks[0]).toMatchObject({ id: 'adapter', status: 'fail', code: 'INTERNAL' });
    expect(report.checks[0]!.seen).toContain('EIO');
    expect(report.firstFailure).toBe('adapter');
  });
});

describe('runDoctor: open, head and meter outcomes (fake deps)', () => {
  // A network head: the system checks are skipped, so these tests need no fixture tree.
  const tcp = (f: ReturnType<typeof fakes>['deps'], extra: Partial<DoctorDeps> = {}): DoctorDeps => ({
    port: 'tcp://10.0.0.7:2000',
    fs: new HostFs('/nonexistent'),
    user: { uid: 1000, gid: 1000, groups: [], username: 't' },
    platform: 'linux',
    ...f,
    ...extra,
  });

  it('skips the system checks for a network head with the reason, then connects', async () => {
    const f = fakes(async () => E450);
    const report = await runDoctor(tcp(f.deps));
    expect(report.checks.slice(0, 3).map((c) => c.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(report.checks[0]!.seen).toContain('Network head (tcp://10.0.0.7:2000)');
    expect(report.checks[3]).toMatchObject({ status: 'pass', seen: 'Connected to tcp://10.0.0.7:2000.' });
    expect(f.deps.openPort).toHaveBeenCalledWith('tcp://10.0.0.7:2000');
  });

  it.each([
    ['PORT_BUSY', 'linux', 'PORT_BUSY'],
    ['PORT_PERMISSION', 'linux', 'PORT_PERMISSION'],
    ['PORT_NOT_FOUND', 'linux', 'PORT_NOT_FOUND'],
    ['TCP_CONNECT_FAILED', 'linux', 'TCP_CONNECT_FAILED'],
    // Windows says "access denied" for a COM port another program holds.
    ['PORT_PERMISSION', 'win32', 'PORT_BUSY'],
  ] as const)('open throwing %s on %s → open fails with %s, head and meter skipped, nothing to close', async (thrown, platform, expected) => {
    const f = fakes(
      async () => E450,
      async () => {
        throw new OmrError(thrown, 'detail from the link');
      },
    );
    const report = await runDoctor(tcp(f.deps, { platform }));
    const open = report.checks[3]!;
    expect(open).toMatchObject({ id: 'open', status: 'fail', code: expected });
    expect(report.firstFailure).toBe('open');
    if (expected === thrown) {
      expect(open.seen).toBe(`${ERROR_TEXT[thrown].en.message} (detail from the link)`);
      expect(open.remedy).toBe(ERROR_TEXT[thrown].en.remedy);
      expect(open.i18n.fr.remedy).toBe(ERROR_TEXT[thrown].fr.remedy);
    } else {
      expect(open.seen).toContain('another program has it open');
    }
    expect(report.checks.slice(4).map((c) => c.status)).toEqual(['skipped', 'skipped']);
    expect(f.deps.probe).not.toHaveBeenCalled();
    expect(f.deps.closePort).not.toHaveBeenCalled();
  });

  it('maps an unexpected throw from openPort to INTERNAL', async () => {
    const f = fakes(
      async () => E450,
      async () => {
        throw new TypeError('boom');
      },
    );
    const report = await runDoctor(tcp(f.deps));
    expect(report.checks[3]).toMatchObject({ status: 'fail', code: 'INTERNAL' });
    expect(report.checks[3]!.seen).toContain('boom');
  });

  it.each([
    ['nothing came back', { ...NOTHING, noAnswer: true }, 'NO_ECHO_NO_ANSWER'],
    ['only our own echo', { ...NOTHING, echoOnly: true }, 'ECHO_ONLY'],
    ['garbage with parity errors', { ...NOTHING, garbage: true, parityErrors: 5, rxHex: 'af 8d 0a' }, 'PARITY_ERROR'],
    ['garbage without parity errors', { ...NOTHING, garbage: true }, 'GARBLED'],
    ['an engine error code', { ...NOTHING, error: { code: 'ECHO_ONLY' } }, 'ECHO_ONLY'],
    ['an engine GARBLED code', { ...NOTHING, garbage: true, error: { code: 'GARBLED', detail: '0x7f noise' } }, 'GARBLED'],
    ['a code the doctor does not know', { ...NOTHING, error: { code: 'SOMETHING_NEW' } }, 'INTERNAL'],
    ['no flag and no identification', NOTHING, 'TIMEOUT_REACTION'],
  ] as const)('head fails on %s (%s)', async (_name, result, code) => {
    const f = fakes(async () => result as ProbeResult);
    const report = await runDoctor(tcp(f.deps));
    expect(report.checks[4]).toMatchObject({ id: 'head', status: 'fail', code });
    expect(report.checks[5]).toMatchObject({ id: 'meter', status: 'skipped' });
    expect(report.firstFailure).toBe('head');
    expect(f.deps.closePort).toHaveBeenCalledTimes(1);
    if (code === 'PARITY_ERROR' || code === 'GARBLED') {
      expect(report.checks[4]!.remedy).toContain('parity or baud problem');
      expect(report.checks[4]!.i18n.fr.remedy).toContain('problème de parité ou de vitesse');
    } else {
      expect(report.checks[4]!.remedy).toBe(ERROR_TEXT[code].en.remedy);
    }
  });

  it('shows the bytes and the parity error count of a garbled answer', async () => {
    const { head } = probeChecks('en', { ...NOTHING, garbage: true, parityErrors: 5, rxHex: 'af 8d 0a' });
    expect(head.seen).toBe('The answer is unreadable: 5 characters with a parity error [af 8d 0a].');
    expect(head.facts).toEqual({ parityErrors: 5 });
  });

  it('maps a probe that throws, and still closes the port', async () => {
    const f = fakes(async () => {
      throw new OmrError('NO_ECHO_NO_ANSWER', '2 requests');
    });
    const report = await runDoctor(tcp(f.deps));
    expect(report.checks[4]).toMatchObject({ status: 'fail', code: 'NO_ECHO_NO_ANSWER', seen: `${ERROR_TEXT.NO_ECHO_NO_ANSWER.en.message} (2 requests)` });
    expect(f.calls).toEqual(['open tcp://10.0.0.7:2000', 'probe', 'close']);
  });

  it('a close that fails does not spoil the report', async () => {
    const f = fakes(async () => E450);
    f.deps.closePort.mockRejectedValueOnce(new Error('already closed'));
    const report = await runDoctor(tcp(f.deps));
    expect(report.checks.slice(3).map((c) => c.status)).toEqual(['pass', 'pass', 'pass']);
  });

  it('warns on an answer with parity errors but goes on to the meter', async () => {
    const f = fakes(async () => ({ ...E450, parityErrors: 3, echoSeen: false }));
    const report = await runDoctor(tcp(f.deps));
    expect(report.checks[4]).toMatchObject({ status: 'warning', code: 'PARITY_ERROR', facts: { parityErrors: 3 } });
    expect(report.checks[4]!.seen).not.toContain('echo');
    expect(report.checks[5]!.status).toBe('pass');
  });

  it('fails the meter when the short read gets nothing, with the engine’s error and remedy', async () => {
    const f = fakes(async () => ({ ...E450, shortReadOk: false, error: { code: 'BCC_MISMATCH', detail: 'block 1' } }));
    const report = await runDoctor(tcp(f.deps));
    expect(report.checks[4]!.status).toBe('pass');
    expect(report.checks[5]).toMatchObject({ status: 'fail', code: 'BCC_MISMATCH', remedy: ERROR_TEXT.BCC_MISMATCH.en.remedy });
    expect(report.checks[5]!.seen).toContain(`A short read got no data: ${ERROR_TEXT.BCC_MISMATCH.en.message} (block 1)`);
    expect(report.firstFailure).toBe('meter');
  });

  it('lists what the meter offers, including the reduced reaction time, and says when no short read was tried', () => {
    const { meter } = probeChecks('fr', {
      ...E450,
      identLine: '/ELs5\\@ZMD',
      modes: { readout: true, modeE: false, reducedReactionTime: true },
      shortReadOk: undefined,
    });
    expect(meter!.status).toBe('pass');
    expect(meter!.seen).toBe(
      "Identification /ELs5\\@ZMD. Propose : relevé de données (mode C), temps de réaction réduit (20 ms). Aucune lecture courte n'a été tentée.",
    );
  });

  it('warns when the meter offers no mode this app reads', () => {
    const { meter } = probeChecks('en', { ...E450, modes: { readout: false, modeE: false, reducedReactionTime: false } });
    expect(meter).toMatchObject({ status: 'warning', code: 'MODE_NOT_OFFERED' });
  });

  it('produces the texts in French when asked, and keeps the English next to them', async () => {
    const f = fakes(async () => ({ ...NOTHING, echoOnly: true }));
    const report = await runDoctor(tcp(f.deps, { lang: 'fr' }));
    const head = report.checks[4]!;
    expect(report.lang).toBe('fr');
    expect(head.seen).toBe(ERROR_TEXT.ECHO_ONLY.fr.message);
    expect(head.remedy).toBe(ERROR_TEXT.ECHO_ONLY.fr.remedy);
    expect(head.i18n.en.seen).toBe(ERROR_TEXT.ECHO_ONLY.en.message);
    expect(report.checks[5]!.seen).toBe('Non effectué : une étape précédente a échoué.');
  });
});
