/**
 * The connection doctor against the virtual E450 on a socat pty pair (real serialport binding):
 * a healthy run passes, each injected fault stops it at the right step with the remedy, and the
 * CLI's --json output has the report's shape.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../shared/settings';
import type { SimFault } from '../../shared/target';
import { diagnose } from '../../electron/features/doctor/service';
import { Targets } from '../../electron/features/ports/targets';
import { runCli } from '../../electron/cli/run';
import { startPtyMeter, type PtyMeter } from '../kit/pty-meter';

let meter: PtyMeter | undefined;
afterEach(async () => {
  await meter?.stop();
  meter = undefined;
});

async function doctorOn(faults: SimFault[]) {
  meter = await startPtyMeter({ faults });
  return diagnose({ target: meter.hostPath, lang: 'en', targets: new Targets(), settings: DEFAULT_SETTINGS });
}

const status = (r: Awaited<ReturnType<typeof doctorOn>>) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

describe('connection doctor on a pty pair', () => {
  it('passes every step that applies on a healthy meter', async () => {
    const r = await doctorOn([]);
    expect(r.firstFailure).toBeUndefined();
    expect(status(r)).toMatchObject({ open: 'pass', head: 'pass', meter: 'pass' });
    expect(r.checks.find((c) => c.id === 'meter')!.seen).toMatch(/LGZ5/);
  });

  it('stops at the head step when the meter is silent', async () => {
    const r = await doctorOn(['silence']);
    expect(r.firstFailure).toBe('head');
    const head = r.checks.find((c) => c.id === 'head')!;
    expect(head.code).toBe('NO_ECHO_NO_ANSWER');
    expect(head.remedy).toBeTruthy();
    expect(status(r).meter).toBe('skipped');
  });

  it('says the head sees only itself when only the echo comes back', async () => {
    const r = await doctorOn(['echo', 'silence']);
    expect(r.firstFailure).toBe('head');
    expect(r.checks.find((c) => c.id === 'head')!.code).toBe('ECHO_ONLY');
    expect(r.checks.find((c) => c.id === 'head')!.i18n.fr.remedy).toMatch(/tête|port optique/i);
  });

  it('gets through noise before the identification', async () => {
    const r = await doctorOn(['noise']);
    expect(r.firstFailure).toBeUndefined();
    expect(status(r).meter).toBe('pass');
  });

  it('warns about parity errors with a remedy when the characters arrive with the wrong parity', async () => {
    const r = await doctorOn(['bad-parity']);
    const head = r.checks.find((c) => c.id === 'head')!;
    expect(head.status).toBe('warning');
    expect(head.seen).toMatch(/parity/i);
    expect(head.remedy).toBeTruthy();
  });

  it('fails at the open step for a port that does not exist', async () => {
    const r = await diagnose({ target: '/dev/ttyUSB-does-not-exist', lang: 'fr', targets: new Targets(), settings: DEFAULT_SETTINGS });
    expect(['adapter', 'open']).toContain(r.firstFailure);
    expect(r.checks.find((c) => c.id === r.firstFailure)!.status).toBe('fail');
  });

  it('prints the report as JSON from the CLI, exit 1 on a failure', async () => {
    meter = await startPtyMeter({ faults: ['silence'] });
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (c) => (out += c));
    const code = await runCli(['doctor', '--port', meter.hostPath, '--json'], { stdout, stderr: new PassThrough(), env: {} });
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ port: meter.hostPath, firstFailure: 'head', lang: 'en' });
    expect(report.checks.map((c: { id: string }) => c.id)).toEqual(['adapter', 'permission', 'conflicts', 'open', 'head', 'meter']);
    for (const c of report.checks) expect(['pass', 'fail', 'warning', 'skipped']).toContain(c.status);
  });
});
