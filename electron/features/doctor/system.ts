/**
 * The system half of the connection doctor: the adapter, permission and conflicts checks. Each is a
 * pure function of what it is given (a {@link HostFs} rooted at `/` or at a fixture tree, the user,
 * the platform, the port path) and never changes the system: where a remedy needs a command, the
 * command is shown for the technician to run.
 */
import { userInfo } from 'node:os';
import type { Lang } from '../../../shared/errors';
import { both, joinTexts } from '../../../shared/i18n';
import type { PortInfo } from '../../../shared/types';
import { HostFs } from '../../runtime/hostfs';
import { KNOWN_HEAD_CHIPS, listLinuxSysfsPorts } from '../ports/ports';
import { parsePort } from '../../link/open';
import {
  findHolders,
  findUdevRule,
  findUnboundSerialChips,
  inspectPort,
  listProcesses,
  moduleState,
  OMR_UDEV_RULE,
  readDistro,
  readGroups,
  readPasswd,
  readProcStatus,
  selfPid,
  vidPid,
  type Distro,
  type Holder,
  type LinuxPort,
  type UnboundChip,
  type UsbDevice,
} from './linux';
import { makeCheck, type Bilingual, type Check, type CheckId, type CheckStatus } from './types';

export interface UserInfo {
  uid: number;
  /** Primary group of the process. */
  gid: number;
  /** Supplementary groups of the process (what the kernel checks; not /etc/group). */
  groups: number[];
  username: string;
}

/** A port as serialport lists it on Windows and macOS, with what Windows knows of its driver. */
export interface DoctorPortInfo extends PortInfo {
  /** Windows PnP id (`FTDIBUS\VID_0403+PID_6001+A10KZP45A\0000`). */
  pnpId?: string;
  /** Windows driver provider (`FTDI`, `wch.cn`, `Microsoft`), when the caller could read it. */
  driverProvider?: string;
}

export interface SystemInput {
  fs: HostFs;
  user: UserInfo;
  platform: NodeJS.Platform | string;
  /** Serial path, `tcp://host:port`, `virtual:e450`, or '' to let the doctor find the adapter. */
  port: string;
  lang?: Lang;
  /** Ports from serialport's list() (Windows and macOS, where /sys does not exist). */
  ports?: DoctorPortInfo[];
  /** Absolute path of the udev rule the app ships, for the command that installs it. */
  udevRuleSource?: string;
}

export type TargetKind = 'serial' | 'tcp' | 'virtual' | 'auto';

export function targetKind(port: string): TargetKind {
  if (port === '') return 'auto';
  try {
    const kind = parsePort(port).kind;
    // An RFC 2217 server is a network head for the system checks.
    return kind === 'rfc2217' ? 'tcp' : kind;
  } catch {
    // A malformed tcp:// address is still a network head for the checks; opening it says what is wrong.
    return 'tcp';
  }
}

/** The reason the three system checks do not apply to a network head or the demo meter. */
function notLocal(id: CheckId, input: SystemInput): Check | undefined {
  const kind = targetKind(input.port);
  if (kind === 'tcp')
    return makeCheck(input.lang ?? 'en', {
      id,
      status: 'skipped',
      seen: both('doctor.notLocal.tcp', { port: input.port }),
    });
  if (kind === 'virtual')
    return makeCheck(input.lang ?? 'en', {
      id,
      status: 'skipped',
      seen: both('doctor.notLocal.virtual'),
    });
  return undefined;
}

function describeUsb(u: UsbDevice, head?: string): string {
  const what = head ?? u.product ?? 'USB serial adapter';
  const extra = [vidPid(u), u.manufacturer, u.serial ? `S/N ${u.serial}` : undefined].filter(Boolean).join(', ');
  return `${what} (${extra})`;
}

// --- adapter --------------------------------------------------------------------------------------

export function checkAdapter(input: SystemInput): Check {
  const skipped = notLocal('adapter', input);
  if (skipped) return skipped;
  switch (input.platform) {
    case 'linux':
      return adapterLinux(input);
    case 'darwin':
      return adapterMac(input);
    case 'win32':
      return adapterWindows(input);
    default: {
      const lang = input.lang ?? 'en';
      if (!input.port) return makeCheck(lang, { id: 'adapter', status: 'fail', seen: both('doctor.adapter.unsearchable', { platform: input.platform }), remedy: both('doctor.adapter.givePort') });
      return makeCheck(lang, { id: 'adapter', status: 'warning', seen: both('doctor.adapter.notInspected', { port: input.port, platform: input.platform }), facts: { path: input.port } });
    }
  }
}

function chipHasBrlttyProblem(u: UsbDevice): boolean {
  return u.vendorId === '1a86' && u.productId === '7523';
}

function adapterLinux(input: SystemInput): Check {
  const { fs } = input;
  const lang = input.lang ?? 'en';
  if (input.port === '') {
    const heads = listLinuxSysfsPorts(fs).filter((p) => p.opticalHead);
    if (heads.length > 0) {
      const chosen = heads[0]!;
      const port = inspectPort(fs, chosen.path);
      const seen = found(port);
      if (heads.length === 1) return makeCheck(lang, { id: 'adapter', status: 'pass', seen, facts: portFacts(port) });
      const others = heads.slice(1).map((h) => h.path).join(', ');
      return makeCheck(lang, {
        id: 'adapter',
        status: 'warning',
        seen: joinTexts([seen, both('doctor.adapter.otherHeads', { others, path: chosen.path })]),
        remedy: both('doctor.adapter.chooseHead'),
        facts: portFacts(port),
      });
    }
    const unbound = findUnboundSerialChips(fs);
    if (unbound.length > 0) return driverMissing(input, unbound[0]!, undefined);
    const others = listLinuxSysfsPorts(fs).map((p) => p.path);
    if (others.length > 0)
      return makeCheck(lang, {
        id: 'adapter',
        status: 'fail',
        code: 'PORT_NOT_FOUND',
        seen: both('doctor.adapter.otherPorts', { ports: others.join(', ') }),
        remedy: both('doctor.adapter.otherPortsRemedy'),
      });
    return makeCheck(lang, {
      id: 'adapter',
      status: 'fail',
      code: 'PORT_NOT_FOUND',
      seen: both('doctor.adapter.noUsb'),
      remedy: both('doctor.adapter.noUsbRemedy'),
      command: 'lsusb',
    });
  }

  const port = inspectPort(fs, input.port);
  if (port.sysDevice) {
    const seen = found(port);
    if (port.usb && port.head) return makeCheck(lang, { id: 'adapter', status: 'pass', seen, facts: portFacts(port) });
    return makeCheck(lang, {
      id: 'adapter',
      status: 'warning',
      seen: port.usb ? joinTexts([seen, both('doctor.adapter.notHeadChip')]) : seen,
      remedy: both('doctor.adapter.whichPort'),
      facts: portFacts(port),
    });
  }
  if (port.nodeExists)
    return makeCheck(lang, {
      id: 'adapter',
      status: 'warning',
      seen: both('doctor.adapter.notSerial', { path: port.devPath }),
      facts: portFacts(port),
    });
  const unbound = findUnboundSerialChips(fs);
  if (unbound.length > 0) return driverMissing(input, unbound[0]!, port);
  const heads = listLinuxSysfsPorts(fs).filter((p) => p.opticalHead).map((p) => p.path);
  return makeCheck(lang, {
    id: 'adapter',
    status: 'fail',
    code: 'PORT_NOT_FOUND',
    seen: both('doctor.adapter.missing', { port: input.port }),
    remedy: heads.length > 0 ? both('doctor.adapter.headElsewhere', { ports: heads.join(', ') }) : both('doctor.adapter.plugIn'),
    facts: { path: port.devPath },
  });
}

function found(port: LinuxPort): Bilingual {
  const driver = port.module && port.ttyDriver && port.module !== port.ttyDriver ? `${port.module} (${port.ttyDriver})` : (port.module ?? port.ttyDriver ?? '?');
  if (port.usb) {
    const d = describeUsb(port.usb, port.head);
    return both('doctor.adapter.foundUsb', { device: d, path: port.devPath, driver });
  }
  return both('doctor.adapter.foundBuiltIn', { path: port.devPath, driver });
}

function portFacts(port: LinuxPort): Record<string, string | number | boolean | undefined> {
  return {
    path: port.devPath,
    requested: port.requested !== port.devPath ? port.requested : undefined,
    vidPid: port.usb ? vidPid(port.usb) : undefined,
    manufacturer: port.usb?.manufacturer,
    product: port.usb?.product,
    serialNumber: port.usb?.serial,
    driver: port.module,
    ttyDriver: port.ttyDriver,
    opticalHead: port.head !== undefined,
    head: port.head,
  };
}

/** A USB serial chip is plugged in but no serial port exists for it. */
function driverMissing(input: SystemInput, u: UnboundChip, port: LinuxPort | undefined): Check {
  const { fs } = input;
  const lang = input.lang ?? 'en';
  const what = describeUsb(u.usb, u.chip);
  const prefix = port ? both('doctor.adapter.missing', { port: port.requested }) : undefined;
  const facts = { vidPid: vidPid(u.usb), interface: u.iface, module: u.module, claimedBy: u.claimedBy, chip: u.chip };
  const brltty = chipHasBrlttyProblem(u.usb) ? brlttyState(fs) : undefined;
  if (brltty && (brltty.running || brltty.ruleActive || u.claimedBy === 'usbfs')) {
    const fix = brlttyRemedy(readDistro(fs));
    return makeCheck(lang, {
      id: 'adapter',
      status: 'fail',
      code: 'PORT_BUSY',
      seen: joinTexts([prefix, both('doctor.adapter.brltty', { device: what })]),
      remedy: fix.remedy,
      command: fix.command,
      facts: { ...facts, brlttyRunning: brltty.running, brlttyRule: brltty.rulePath },
    });
  }
  if (u.claimedBy) {
    return makeCheck(lang, {
      id: 'adapter',
      status: 'fail',
      code: 'PORT_BUSY',
      seen: joinTexts([prefix, both('doctor.adapter.claimed', { device: what, holder: u.claimedBy })]),
      remedy: both('doctor.adapter.claimedRemedy'),
      command: `sudo lsof /dev/bus/usb/* 2>/dev/null | grep -v '^COMMAND'`,
      facts,
    });
  }
  const mod = u.module ?? 'usbserial';
  const m = moduleState(fs, mod);
  const missing = both('doctor.adapter.noDriver', { device: what, module: mod });
  const base = { id: 'adapter' as const, status: 'fail' as const, code: 'PORT_OPEN_FAILED' as const, seen: joinTexts([prefix, missing]), facts: { ...facts, moduleState: m.state, kernel: m.release } };
  if (m.state === 'absent') {
    const distro = readDistro(fs);
    // Ubuntu and its derivatives ship the less common drivers in a separate package per kernel.
    const pkg = distro.id === 'ubuntu' || distro.like.includes('ubuntu') ? `linux-modules-extra-${m.release}` : undefined;
    const command = pkg ? `sudo apt install ${pkg}\nsudo modprobe ${mod}` : distro.family === 'fedora' ? `sudo dnf install kernel-modules-extra\nsudo modprobe ${mod}` : undefined;
    return makeCheck(lang, {
      ...base,
      remedy: command
        ? both('doctor.adapter.moduleAbsentPackage', { kernel: String(m.release), module: mod })
        : both('doctor.adapter.moduleAbsent', { kernel: String(m.release), module: mod }),
      command,
    });
  }
  if (m.state === 'loaded' || m.state === 'builtin')
    return makeCheck(lang, {
      ...base,
      remedy: both('doctor.adapter.moduleIdle', { module: mod }),
      command: 'sudo dmesg | tail -n 30',
    });
  return makeCheck(lang, {
    ...base,
    remedy: both('doctor.adapter.moduleLoad', { module: mod }),
    command: `sudo modprobe ${mod}`,
  });
}

const MAC_HINTS: [RegExp, string][] = [
  [/usbserial-/i, 'FTDI or Prolific (Apple driver)'],
  [/SLAB_USBtoUART/i, 'Silicon Labs CP210x (Silicon Labs driver)'],
  [/wchusbserial/i, 'WCH CH34x (WCH driver)'],
  [/usbmodem/i, 'USB CDC-ACM'],
];

function adapterMac(input: SystemInput): Check {
  const lang = input.lang ?? 'en';
  const ports = input.ports?.filter((p) => p.kind === 'serial');
  let path = input.port;
  if (path === '') {
    const head = ports?.find((p) => p.opticalHead && p.path.startsWith('/dev/cu.')) ?? ports?.find((p) => p.opticalHead);
    if (!head)
      return makeCheck(lang, {
        id: 'adapter',
        status: 'fail',
        code: 'PORT_NOT_FOUND',
        seen: both('doctor.adapter.noHead'),
        remedy: both('doctor.adapter.noHeadMac'),
      });
    path = head.path;
  }
  const info = ports?.find((p) => p.path === path || p.path === path.replace('/dev/tty.', '/dev/cu.'));
  const hint = MAC_HINTS.find(([re]) => re.test(path))?.[1];
  const desc = info ? describePortInfo(info) : (hint ?? 'serial port');
  const facts = { path, vidPid: info?.vendorId && info.productId ? `${info.vendorId}:${info.productId}` : undefined, manufacturer: info?.manufacturer, serialNumber: info?.serialNumber, opticalHead: info?.opticalHead };
  if (ports && !info)
    return makeCheck(lang, {
      id: 'adapter',
      status: 'fail',
      code: 'PORT_NOT_FOUND',
      seen: both('doctor.adapter.notPresent', { path }),
      remedy: both('doctor.adapter.plugIn'),
      facts,
    });
  if (path.startsWith('/dev/tty.')) {
    const cu = path.replace('/dev/tty.', '/dev/cu.');
    return makeCheck(lang, {
      id: 'adapter',
      status: 'warning',
      seen: both('doctor.adapter.ttyPort', { device: desc, path }),
      remedy: both('doctor.adapter.useCu', { path: cu }),
      facts: { ...facts, preferred: cu },
    });
  }
  const known = info?.opticalHead ?? hint !== undefined;
  return makeCheck(lang, {
    id: 'adapter',
    status: known ? 'pass' : 'warning',
    seen: both(known ? 'doctor.adapter.known' : 'doctor.adapter.unknown', { device: desc, path }),
    remedy: known ? undefined : both('doctor.adapter.checkPort'),
    facts,
  });
}

function describePortInfo(p: DoctorPortInfo): string {
  const extra = [p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined, p.manufacturer, p.serialNumber ? `S/N ${p.serialNumber}` : undefined].filter(Boolean).join(', ');
  return `${p.headName ?? 'USB serial adapter'}${extra ? ` (${extra})` : ''}`;
}

/** The driver behind a Windows port: the provider when known, else what the PnP id's bus says. */
export function windowsDriver(p: DoctorPortInfo): string | undefined {
  if (p.driverProvider) return p.driverProvider;
  const bus = p.pnpId?.split('\\')[0]?.toUpperCase();
  if (bus === 'FTDIBUS') return 'FTDI (FTDIBUS)';
  if (bus === 'USB') return 'USB (usbser or the chip maker’s driver)';
  return bus;
}

function adapterWindows(input: SystemInput): Check {
  const lang = input.lang ?? 'en';
  const ports = input.ports?.filter((p) => p.kind === 'serial');
  let path = input.port;
  if (path === '') {
    const head = ports?.find((p) => p.opticalHead);
    if (!head)
      return makeCheck(lang, {
        id: 'adapter',
        status: 'fail',
        code: 'PORT_NOT_FOUND',
        seen: both('doctor.adapter.noHead'),
        remedy: both('doctor.adapter.noHeadWindows'),
      });
    path = head.path;
  }
  const m = /^(?:\\\\\.\\)?(COM)(\d+)$/i.exec(path);
  if (!m)
    return makeCheck(lang, {
      id: 'adapter',
      status: 'fail',
      code: 'PORT_NOT_FOUND',
      seen: both('doctor.adapter.notComName', { path }),
      remedy: both('doctor.adapter.chooseCom'),
    });
  const com = `COM${m[2]}`;
  const info = ports?.find((p) => p.path.toUpperCase() === com || p.path.toUpperCase() === `\\\\.\\${com}`);
  if (ports && !info) {
    const present = ports.map((p) => p.path).join(', ') || '—';
    return makeCheck(lang, {
      id: 'adapter',
      status: 'fail',
      code: 'PORT_NOT_FOUND',
      seen: both('doctor.adapter.comMissing', { path: com, present }),
      remedy: both('doctor.adapter.comMissingRemedy'),
      facts: { path: com },
    });
  }
  const driver = info ? windowsDriver(info) : undefined;
  const desc = info ? describePortInfo(info) : 'Serial port';
  const driverText = driver ? both('doctor.adapter.windowsDriver', { driver }) : '';
  const facts = { path: com, vidPid: info?.vendorId && info.productId ? `${info.vendorId}:${info.productId}` : undefined, manufacturer: info?.manufacturer, serialNumber: info?.serialNumber, driver, opticalHead: info?.opticalHead };
  const known = info?.opticalHead === true;
  return makeCheck(lang, {
    id: 'adapter',
    status: known ? 'pass' : 'warning',
    seen: both(known ? 'doctor.adapter.knownWindows' : 'doctor.adapter.unknownWindows', { device: desc, path: com, driver: driverText }),
    remedy: known ? undefined : both('doctor.adapter.checkPort'),
    facts,
  });
}

// --- permission ----------------------------------------------------------------------------------

function udevInstallCommand(input: SystemInput): string | undefined {
  if (!input.udevRuleSource) return undefined;
  const src = /^[\w@%+=:,./-]+$/.test(input.udevRuleSource) ? input.udevRuleSource : `'${input.udevRuleSource.replace(/'/g, `'\\''`)}'`;
  return `sudo install -m 0644 ${src} /etc/udev/rules.d/${OMR_UDEV_RULE}\nsudo udevadm control --reload-rules\nsudo udevadm trigger --subsystem-match=tty`;
}

/** Read and write rights of `user` on a node from its mode, owner and group (as the kernel does without ACLs). */
export function modeAllows(st: { uid: number; gid: number; mode: number }, user: UserInfo): { ok: boolean; via?: 'root' | 'owner' | 'group' | 'other' } {
  if (user.uid === 0) return { ok: true, via: 'root' };
  if (st.uid === user.uid) return (st.mode & 0o600) === 0o600 ? { ok: true, via: 'owner' } : { ok: false };
  if (st.gid === user.gid || user.groups.includes(st.gid)) return (st.mode & 0o060) === 0o060 ? { ok: true, via: 'group' } : { ok: false };
  return (st.mode & 0o006) === 0o006 ? { ok: true, via: 'other' } : { ok: false };
}

export function checkPermission(input: SystemInput): Check {
  const skipped = notLocal('permission', input);
  if (skipped) return skipped;
  const lang = input.lang ?? 'en';
  if (input.platform !== 'linux')
    return makeCheck(lang, {
      id: 'permission',
      status: 'skipped',
      seen: both('doctor.permission.notChecked', { platform: platformName(input.platform) }),
    });
  if (input.port === '')
    return makeCheck(lang, { id: 'permission', status: 'skipped', seen: both('doctor.noPortToCheck') });
  const { fs, user } = input;
  const devPath = fs.realPath(input.port) ?? input.port;
  const st = fs.stat(devPath);
  if (!st)
    return makeCheck(lang, { id: 'permission', status: 'skipped', seen: both('doctor.nothingToCheck', { path: devPath }) });
  const groups = readGroups(fs);
  const group = groups.find((g) => g.gid === st.gid);
  const owner = readPasswd(fs).find((p) => p.uid === st.uid)?.name ?? String(st.uid);
  const groupName = group?.name ?? String(st.gid);
  const modeText = `${owner}:${groupName} ${(st.mode & 0o777).toString(8).padStart(4, '0')}`;
  const rule = findUdevRule(fs, OMR_UDEV_RULE);
  const facts = { path: devPath, owner, group: groupName, gid: st.gid, mode: (st.mode & 0o777).toString(8).padStart(4, '0'), udevRule: rule.path, user: user.username };
  const byMode = modeAllows(st, user);
  const kernel = fs.canReadWrite(devPath);

  if (byMode.ok && kernel !== false) {
    const via =
      byMode.via === 'group'
        ? both('doctor.permission.viaGroup', { group: groupName })
        : byMode.via === 'root'
          ? both('doctor.permission.viaRoot')
          : byMode.via === 'owner'
            ? both('doctor.permission.viaOwner')
            : undefined;
    return makeCheck(lang, {
      id: 'permission',
      status: 'pass',
      seen: both('doctor.permission.ok', { user: user.username, path: devPath, mode: modeText, via: via ? { en: ` ${via.en}`, fr: ` ${via.fr}` } : '' }),
      facts,
    });
  }
  if (!byMode.ok && kernel === true)
    return makeCheck(lang, {
      id: 'permission',
      status: 'pass',
      seen: both('doctor.permission.acl', { user: user.username, path: devPath, mode: modeText }),
      facts: { ...facts, acl: true },
    });
  if (byMode.ok && kernel === false)
    return makeCheck(lang, {
      id: 'permission',
      status: 'fail',
      code: 'PORT_PERMISSION',
      seen: both('doctor.permission.sandbox', { user: user.username, path: devPath, mode: modeText }),
      remedy: both('doctor.permission.sandboxRemedy'),
      facts,
    });

  // Denied: explain why, from the groups.
  const installRule = udevInstallCommand(input);
  const ruleAlt = rule.path
    ? undefined
    : installRule
      ? both('doctor.permission.orInstallRuleCommand', { rule: OMR_UDEV_RULE, command: installRule.split('\n').join(' && ') })
      : both('doctor.permission.orInstallRule', { rule: OMR_UDEV_RULE });
  const ruleSeen = rule.path ? both('doctor.permission.ruleInstalled', { path: rule.path }) : both('doctor.permission.ruleMissing');

  if (!group || st.gid === 0 || (st.mode & 0o060) !== 0o060) {
    // The group gives no access (root only, or no rw for the group): a rule must open the device.
    return makeCheck(lang, {
      id: 'permission',
      status: 'fail',
      code: 'PORT_PERMISSION',
      seen: joinTexts([both('doctor.permission.noGroup', { user: user.username, path: devPath, mode: modeText }), ruleSeen]),
      remedy: installRule ? both('doctor.permission.installRule') : both('doctor.permission.installNamedRule', { rule: OMR_UDEV_RULE }),
      command: installRule,
      facts,
    });
  }
  const passwd = readPasswd(fs).find((p) => p.name === user.username);
  const listed = group.members.includes(user.username) || passwd?.gid === group.gid;
  if (listed)
    return makeCheck(lang, {
      id: 'permission',
      status: 'fail',
      code: 'PORT_PERMISSION',
      seen: both('doctor.permission.groupInactive', { user: user.username, group: group.name, path: devPath, mode: modeText }),
      remedy: both('doctor.permission.groupInactiveRemedy'),
      facts: { ...facts, listedInGroup: true, groupActive: false },
    });
  return makeCheck(lang, {
    id: 'permission',
    status: 'fail',
    code: 'PORT_PERMISSION',
    seen: joinTexts([both('doctor.permission.notInGroup', { user: user.username, path: devPath, mode: modeText, group: group.name }), ruleSeen]),
    remedy: joinTexts([both('doctor.permission.addToGroup', { user: user.username, group: group.name }), ruleAlt]),
    command: `sudo usermod -aG ${group.name} ${user.username}`,
    facts: { ...facts, listedInGroup: false },
  });
}

function platformName(p: string): string {
  return p === 'win32' ? 'Windows' : p === 'darwin' ? 'macOS' : p;
}

// --- conflicts -----------------------------------------------------------------------------------

export interface BrlttyState {
  running: boolean;
  pids: number[];
  /** The brltty udev rule, when present. */
  rulePath?: string;
  /** Present and not masked. */
  ruleActive: boolean;
}

export function brlttyState(fs: HostFs): BrlttyState {
  const pids = listProcesses(fs).filter((p) => p.comm === 'brltty').map((p) => p.pid);
  const rule = findUdevRule(fs, '85-brltty.rules');
  const s: BrlttyState = { running: pids.length > 0, pids, ruleActive: rule.path !== undefined && !rule.masked };
  if (rule.path && !rule.masked) s.rulePath = rule.path;
  return s;
}

function brlttyRemedy(distro: Distro): { remedy: Bilingual; command: string } {
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
  if (!port.nodeExists)
    return makeCheck(lang, { id: 'conflicts', status: 'skipped', seen: both('doctor.nothingToCheck', { path: port.devPath }) });
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
    const provided = providers.length ? both('doctor.conflicts.ptyProvider', { path: port.devPath, programs: providers.map((h) => h.comm).join(', ') }) : undefined;
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

// --- the user ------------------------------------------------------------------------------------

/**
 * Who runs the doctor: uid, gid and groups of this process as the kernel sees them
 * (/proc/self/status through `fs`; else the process's own answers), and the login name.
 */
export function currentUser(fs: HostFs = new HostFs('/')): UserInfo {
  const st = readProcStatus(fs);
  const uid = st.uid ?? process.getuid?.() ?? -1;
  const gid = st.gid ?? process.getgid?.() ?? -1;
  const groups = st.groups ?? process.getgroups?.() ?? [];
  let username = readPasswd(fs).find((p) => p.uid === uid)?.name;
  if (!username) {
    try {
      username = userInfo().username;
    } catch {
      username = process.env.USER ?? process.env.USERNAME ?? String(uid);
    }
  }
  return { uid, gid, groups, username };
}

/** The three system checks in order. */
export function systemChecks(input: SystemInput): Check[] {
  return [checkAdapter(input), checkPermission(input), checkConflicts(input)];
}
