/**
 * brltty, the braille display service, takes CH340 adapters (1a86:7523) for braille displays and
 * the serial port disappears: its state on this system and how to get it out of the way.
 */
import { both } from '../../../shared/i18n';
import { HostFs } from '../../runtime/hostfs';
import { findUdevRule, listProcesses, type Distro, type UsbDevice } from './linux';
import type { Bilingual } from '../../../shared/doctor';

export function chipHasBrlttyProblem(u: UsbDevice): boolean {
  return u.vendorId === '1a86' && u.productId === '7523';
}

export interface BrlttyState {
  running: boolean;
  pids: number[];
  /** The brltty udev rule, when present. */
  rulePath?: string;
  /** Present and not masked. */
  ruleActive: boolean;
}

export function brlttyState(fs: HostFs): BrlttyState {
  const pids = listProcesses(fs)
    .filter((p) => p.comm === 'brltty')
    .map((p) => p.pid);
  const rule = findUdevRule(fs, '85-brltty.rules');
  const s: BrlttyState = { running: pids.length > 0, pids, ruleActive: rule.path !== undefined && !rule.masked };
  if (rule.path && !rule.masked) s.rulePath = rule.path;
  return s;
}

export function brlttyRemedy(distro: Distro): { remedy: Bilingual; command: string } {
  const mask = 'sudo ln -s /dev/null /etc/udev/rules.d/85-brltty.rules\nsudo udevadm control --reload-rules';
  const remove: Record<Distro['family'], string | undefined> = {
    debian: 'sudo apt remove brltty',
    fedora: 'sudo dnf remove brltty',
    arch: 'sudo pacman -R brltty',
    suse: 'sudo zypper remove brltty',
    other: undefined,
  };
  const rm = remove[distro.family];
  if (rm) {
    const keep = distro.family === 'debian' ? `${mask}\nsudo systemctl mask brltty-udev.service` : mask;
    return {
      remedy: both('doctor.conflicts.brlttyRemove', { command: keep.split('\n').join(' && ') }),
      command: rm,
    };
  }
  return {
    remedy: both('doctor.conflicts.brlttyDisable'),
    command: mask,
  };
}
