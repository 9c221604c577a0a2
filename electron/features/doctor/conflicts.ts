/**
 * The doctor's conflicts check: another program holding the port, ModemManager probing it, brltty
 * taking a CH340. Pure: it never changes the system; commands are shown, not run.
 */
import { both, joinTexts } from '../../../shared/i18n';
import { KNOWN_HEAD_CHIPS } from '../ports/ports';
import { findHolders, findUdevRule, inspectPort, listProcesses, OMR_UDEV_RULE, readDistro, selfPid, vidPid, type Holder } from './linux';
import { brlttyRemedy, brlttyState, chipHasBrlttyProblem } from './brltty';
import { notLocal, platformName, type SystemInput } from './system-input';
import { makeCheck, type Bilingual, type Check, type CheckStatus } from '../../../shared/doctor';

// --- conflicts -----------------------------------------------------------------------------------

interface Finding {
  status: CheckStatus;
  seen: Bilingual;
  remedy?: Bilingual;
  command?: string;
  code?: 'PORT_BUSY';
}

function holderText(h: Holder): string {
  return `${h.comm} (pid ${h.pid}${h.cmdline && h.cmdline !== h.comm ? `: ${h.cmdline}` : ''})`;
}

export function checkConflicts(input: SystemInput): Check {
  const skipped = notLocal('conflicts', input);
  if (skipped) return skipped;
  const lang = input.lang ?? 'en';
  if (input.platform !== 'linux')
    return makeCheck(lang, {
      id: 'conflicts',
      status: 'skipped',
      seen: both('doctor.conflicts.notChecked', { platform: platformName(input.platform) }),
    });
  if (input.port === '') return makeCheck(lang, { id: 'conflicts', status: 'skipped', seen: both('doctor.noPortToCheck') });
  const { fs } = input;
  const port = inspectPort(fs, input.port);
  if (!port.nodeExists) return makeCheck(lang, { id: 'conflicts', status: 'skipped', seen: both('doctor.nothingToCheck', { path: port.devPath }) });
  const paths = [...new Set([port.devPath, input.port])];
  const { holders, unreadable } = findHolders(fs, paths, selfPid(fs));
  const processes = listProcesses(fs);
  const findings: Finding[] = [];
  const stopMm = 'sudo systemctl stop ModemManager';

  // A pseudo-terminal (socat, ser2net's virtual ports, the simulator) is held open by the program
  // that provides its other end: that is the cable, not a conflict.
  const isPty = port.devPath.startsWith('/dev/pts/');
  const providers = holders.filter((h) => isPty && h.holdsPtyMaster);
  for (const h of holders) {
    if (providers.includes(h)) continue;
    if (h.comm === 'ModemManager')
      findings.push({
        status: 'fail',
        code: 'PORT_BUSY',
        seen: both('doctor.conflicts.modemManagerHolds', { pid: h.pid, path: port.devPath }),
        remedy: both('doctor.conflicts.stopModemManager'),
        command: stopMm,
      });
    else
      findings.push({
        status: 'fail',
        code: 'PORT_BUSY',
        seen: both('doctor.conflicts.held', { path: port.devPath, holder: holderText(h) }),
        remedy: both('doctor.conflicts.closeHolder', { program: h.comm }),
        command: `kill ${h.pid}`,
      });
  }

  if (port.usb && chipHasBrlttyProblem(port.usb)) {
    const b = brlttyState(fs);
    if (b.running || b.ruleActive) {
      const fix = brlttyRemedy(readDistro(fs));
      const runs = b.running ? both('doctor.conflicts.brlttyRuns', { pids: b.pids.join(', ') }) : undefined;
      const ruled = b.rulePath ? both('doctor.conflicts.brlttyRule', { path: b.rulePath }) : undefined;
      const why = runs && ruled ? both('doctor.conflicts.and', { first: runs, second: ruled }) : (runs ?? ruled ?? '');
      findings.push({
        status: 'fail',
        code: 'PORT_BUSY',
        seen: both('doctor.conflicts.ch340', { vidPid: vidPid(port.usb), why }),
        remedy: fix.remedy,
        command: fix.command,
      });
    }
  }

  const mm = processes.find((p) => p.comm === 'ModemManager');
  const probedChip = port.usb?.vendorId === '0403' || port.module === 'cdc_acm';
  if (mm && probedChip && !holders.some((h) => h.comm === 'ModemManager')) {
    const omrRule = findUdevRule(fs, OMR_UDEV_RULE);
    const coveredByRule = omrRule.path !== undefined && !omrRule.masked && port.usb !== undefined && KNOWN_HEAD_CHIPS[vidPid(port.usb)] !== undefined;
    if (!coveredByRule) {
      const u = port.usb;
      const ignore = u
        ? `echo 'ATTRS{idVendor}=="${u.vendorId}", ATTRS{idProduct}=="${u.productId}", ENV{ID_MM_DEVICE_IGNORE}="1"' | sudo tee /etc/udev/rules.d/61-omr-modemmanager-ignore.rules && sudo udevadm control --reload-rules && sudo udevadm trigger --subsystem-match=tty`
        : undefined;
      findings.push({
        status: 'warning',
        seen: both('doctor.conflicts.modemManagerRuns', { pid: mm.pid, kind: port.module === 'cdc_acm' ? 'CDC-ACM' : 'FTDI' }),
        remedy: ignore ? both('doctor.conflicts.ignoreAdapter', { command: ignore }) : both('doctor.conflicts.stopWhileReading'),
        command: stopMm,
      });
    }
  }

  const facts = {
    path: port.devPath,
    holders: holders.map((h) => `${h.pid}:${h.comm}`).join(',') || undefined,
    ptyProvider: providers.map((h) => `${h.pid}:${h.comm}`).join(',') || undefined,
    unreadableProcesses: unreadable || undefined,
    modemManager: mm ? mm.pid : undefined,
    brltty: processes.some((p) => p.comm === 'brltty') || undefined,
  };
  if (findings.length === 0) {
    const provided = providers.length
      ? both('doctor.conflicts.ptyProvider', { path: port.devPath, programs: providers.map((h) => h.comm).join(', ') })
      : undefined;
    const note = unreadable > 0 ? both('doctor.conflicts.unreadable', { count: unreadable }) : undefined;
    return makeCheck(lang, {
      id: 'conflicts',
      status: 'pass',
      seen: joinTexts([both('doctor.conflicts.none', { path: port.devPath }), provided, note]),
      facts,
    });
  }
  const worst: CheckStatus = findings.some((f) => f.status === 'fail') ? 'fail' : 'warning';
  const ordered = [...findings.filter((f) => f.status === 'fail'), ...findings.filter((f) => f.status !== 'fail')];
  const commands = [...new Set(ordered.map((f) => f.command).filter((c): c is string => !!c))];
  return makeCheck(lang, {
    id: 'conflicts',
    status: worst,
    code: ordered[0]!.code,
    seen: joinTexts(ordered.map((f) => f.seen)),
    remedy: joinTexts(ordered.map((f) => f.remedy)),
    command: commands.join('\n') || undefined,
    facts,
  });
}
