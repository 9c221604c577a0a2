import { describe, expect, it } from 'vitest';
import { runDoctor, type ProbeResult } from '../../../electron/features/doctor/run';
import { currentUser } from '../../../electron/features/doctor/system';
import { formatReport, localiseReport, makeCheck, type DoctorReport } from '../../../shared/doctor';
import { FIXTURES_USABLE, fixtureFs } from '../../fixtures/hostfs/fixture-hostfs';

const SITUATIONS = ['healthy-ftdi', 'driver-missing', 'no-permission', 'group-not-active', 'modemmanager', 'brltty-ch340', 'brltty-claimed', 'held-by-process'];
const ECHO: ProbeResult = {
  echoOnly: true,
  noAnswer: false,
  garbage: false,
  parityErrors: 0,
  modes: { readout: false, modeE: false, reducedReactionTime: false },
};

function sample(): DoctorReport {
  const en = (s: string, fr: string) => ({ en: s, fr });
  return {
    startedAt: '2025-03-01T08:00:00.000Z',
    finishedAt: '2025-03-01T08:00:02.000Z',
    lang: 'en',
    port: '/dev/ttyUSB0',
    platform: 'linux',
    checks: [
      makeCheck('en', { id: 'adapter', status: 'pass', seen: en('FTDI FT232R on /dev/ttyUSB0.', 'FTDI FT232R sur /dev/ttyUSB0.') }),
      makeCheck('en', {
        id: 'permission',
        status: 'fail',
        seen: en('bob is not in dialout.', "bob n'est pas dans dialout."),
        remedy: en('Add bob to dialout.', 'Ajoutez bob à dialout.'),
        command: 'sudo usermod -aG dialout bob\nsudo udevadm trigger',
      }),
      makeCheck('en', { id: 'conflicts', status: 'skipped', seen: en('Not run.', 'Non effectué.') }),
    ],
    firstFailure: 'permission',
  };
}

describe('doctor report', () => {
  it('formats as plain text with status, remedy, the command lines and the first broken link', () => {
    expect(formatReport(sample())).toBe(
      [
        'Optical Meter Reader — connection doctor',
        'Started: 2025-03-01T08:00:00.000Z',
        'System: linux',
        'Port: /dev/ttyUSB0',
        '',
        '[OK  ] USB adapter: FTDI FT232R on /dev/ttyUSB0.',
        '[FAIL] Permission: bob is not in dialout.',
        '       Remedy: Add bob to dialout.',
        '       Command:',
        '         sudo usermod -aG dialout bob',
        '         sudo udevadm trigger',
        '[SKIP] Other programs: Not run.',
        '',
        'First broken link: Permission',
        '',
      ].join('\n'),
    );
  });

  it('formats in the other language from the same report', () => {
    const text = formatReport(sample(), 'fr');
    expect(text).toContain('Optical Meter Reader — diagnostic de connexion');
    expect(text).toContain("[ÉCHEC ] Droits d'accès : bob n'est pas dans dialout.");
    expect(text).toContain('         Remède : Ajoutez bob à dialout.');
    expect(text).toContain('         Commande :\n           sudo usermod -aG dialout bob\n');
    expect(text).toContain("Premier maillon cassé : Droits d'accès");
    expect(text).not.toContain('Remedy');
  });

  it('switches language without running again, and drops a remedy the other language lacks', () => {
    const fr = localiseReport(sample(), 'fr');
    expect(fr.lang).toBe('fr');
    expect(fr.checks[1]).toMatchObject({
      seen: "bob n'est pas dans dialout.",
      remedy: 'Ajoutez bob à dialout.',
      command: 'sudo usermod -aG dialout bob\nsudo udevadm trigger',
    });
    expect(fr.checks[0]!.remedy).toBeUndefined();
    expect(localiseReport(fr, 'en')).toEqual(sample());
  });

  it('says so when nothing is broken', () => {
    const r = { ...sample(), checks: sample().checks.slice(0, 1) };
    delete r.firstFailure;
    expect(formatReport(r)).toMatch(/No broken link found\.\n$/);
    expect(formatReport(r, 'fr')).toMatch(/Aucun maillon cassé\.\n$/);
  });

  it.skipIf(!FIXTURES_USABLE)('every report on every fixture is plain data with real English and French texts', async () => {
    for (const situation of SITUATIONS) {
      for (const port of ['/dev/ttyUSB0', '']) {
        const fs = fixtureFs(situation);
        const report = await runDoctor({
          port,
          fs,
          user: currentUser(fs),
          platform: 'linux',
          udevRuleSource: '/usr/share/omr/60-optical-meter-reader.rules',
          openPort: async () => undefined,
          probe: async () => ECHO,
        });
        // It crosses IPC and is saved as JSON: no class, no undefined, nothing lost.
        expect(JSON.parse(JSON.stringify(report))).toEqual(report);
        expect(report.checks).toHaveLength(6);
        for (const c of report.checks) {
          expect(c.i18n.en.seen.length, `${situation} ${c.id}`).toBeGreaterThan(10);
          expect(c.i18n.fr.seen, `${situation} ${c.id} is translated`).not.toBe(c.i18n.en.seen);
          expect(c.i18n.fr.remedy === undefined, `${situation} ${c.id} remedy in both`).toBe(c.i18n.en.remedy === undefined);
          if (c.status === 'fail' || c.status === 'warning') expect(c.remedy, `${situation} ${c.id} has a remedy`).toBeTruthy();
        }
        const text = formatReport(report);
        for (const c of report.checks) expect(text).toContain(c.seen);
      }
    }
  });
});
