/**
 * The system half of the connection doctor: the adapter, permission and conflicts checks. Each is a
 * pure function of what it is given (a {@link HostFs} rooted at `/` or at a fixture tree, the user,
 * the platform, the port path) and never changes the system: where a remedy needs a command, the
 * command is shown for the technician to run.
 */
import { userInfo } from 'node:os';
import type { Lang } from '../../../shared/errors';
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

const t = (en: string, fr: string): Bilingual => ({ en, fr });
const join = (parts: Bilingual[], sep = ' '): Bilingual => ({ en: parts.map((p) => p.en).join(sep), fr: parts.map((p) => p.fr).join(sep) });

export type TargetKind = 'serial' | 'tcp' | 'virtual' | 'auto';

export function targetKind(port: string): TargetKind {
  if (port === '') return 'auto';
  try {
    return parsePort(port).kind;
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
      seen: t(`Network head (${input.port}): there is no USB adapter on this computer to check.`, `Tête réseau (${input.port}) : pas d'adaptateur USB à vérifier sur cet ordinateur.`),
    });
  if (kind === 'virtual')
    return makeCheck(input.lang ?? 'en', {
      id,
      status: 'skipped',
      seen: t('Demo meter: it runs inside the app, there is no adapter to check.', "Compteur de démonstration : il tourne dans l'application, pas d'adaptateur à vérifier."),
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
      if (!input.port) return makeCheck(lang, { id: 'adapter', status: 'fail', seen: t(`No port given, and this system (${input.platform}) cannot be searched.`, `Aucun port indiqué, et ce système (${input.platform}) ne peut pas être parcouru.`), remedy: t('Give the port of the optical head.', 'Indiquez le port de la tête optique.') });
      return makeCheck(lang, { id: 'adapter', status: 'warning', seen: t(`${input.port}: adapters are not inspected on ${input.platform}.`, `${input.port} : les adaptateurs ne sont pas examinés sous ${input.platform}.`), facts: { path: input.port } });
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
        seen: join([seen, t(`Other optical heads: ${others}; checking ${chosen.path}.`, `Autres têtes optiques : ${others} ; vérification de ${chosen.path}.`)]),
        remedy: t('Choose the port of the head that is on the meter.', 'Choisissez le port de la tête posée sur le compteur.'),
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
        seen: t(`No known optical head is plugged in; other serial ports: ${others.join(', ')}.`, `Aucune tête optique connue n'est branchée ; autres ports série : ${others.join(', ')}.`),
        remedy: t('Plug the optical head in. If your head uses another chip, choose its port explicitly.', 'Branchez la tête optique. Si votre tête utilise une autre puce, choisissez son port explicitement.'),
      });
    return makeCheck(lang, {
      id: 'adapter',
      status: 'fail',
      code: 'PORT_NOT_FOUND',
      seen: t('No USB serial adapter is plugged in.', "Aucun adaptateur série USB n'est branché."),
      remedy: t('Plug the optical head into a USB port (try another port or cable); the command lists what the computer sees on USB.', "Branchez la tête optique sur un port USB (essayez un autre port ou câble) ; la commande liste ce que l'ordinateur voit en USB."),
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
      seen: port.usb ? join([seen, t('It is not a known optical head chip.', "Ce n'est pas une puce de tête optique connue.")]) : seen,
      remedy: t('Check that this is the port of the optical head (unplug the head and see which port disappears).', "Vérifiez qu'il s'agit bien du port de la tête optique (débranchez-la et voyez quel port disparaît)."),
      facts: portFacts(port),
    });
  }
  if (port.nodeExists)
    return makeCheck(lang, {
      id: 'adapter',
      status: 'warning',
      seen: t(
        `${port.devPath} exists but is not a USB or built-in serial port (a pseudo-terminal or a virtual port).`,
        `${port.devPath} existe mais n'est ni un port série USB ni un port intégré (pseudo-terminal ou port virtuel).`,
      ),
      facts: portFacts(port),
    });
  const unbound = findUnboundSerialChips(fs);
  if (unbound.length > 0) return driverMissing(input, unbound[0]!, port);
  const heads = listLinuxSysfsPorts(fs).filter((p) => p.opticalHead).map((p) => p.path);
  return makeCheck(lang, {
    id: 'adapter',
    status: 'fail',
    code: 'PORT_NOT_FOUND',
    seen: t(`${input.port} does not exist.`, `${input.port} n'existe pas.`),
    remedy:
      heads.length > 0
        ? t(`An optical head is on ${heads.join(', ')}: choose that port.`, `Une tête optique est sur ${heads.join(', ')} : choisissez ce port.`)
        : t('Plug the optical head in, then refresh the port list.', 'Branchez la tête optique, puis actualisez la liste des ports.'),
    facts: { path: port.devPath },
  });
}

function found(port: LinuxPort): Bilingual {
  const driver = port.module && port.ttyDriver && port.module !== port.ttyDriver ? `${port.module} (${port.ttyDriver})` : (port.module ?? port.ttyDriver ?? '?');
  if (port.usb) {
    const d = describeUsb(port.usb, port.head);
    return t(`${d} on ${port.devPath}, kernel driver ${driver}.`, `${d} sur ${port.devPath}, pilote noyau ${driver}.`);
  }
  return t(`Built-in serial port ${port.devPath}, kernel driver ${driver}.`, `Port série intégré ${port.devPath}, pilote noyau ${driver}.`);
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
  const prefix = port ? t(`${port.requested} does not exist. `, `${port.requested} n'existe pas. `) : t('', '');
  const facts = { vidPid: vidPid(u.usb), interface: u.iface, module: u.module, claimedBy: u.claimedBy, chip: u.chip };
  const brltty = chipHasBrlttyProblem(u.usb) ? brlttyState(fs) : undefined;
  if (brltty && (brltty.running || brltty.ruleActive || u.claimedBy === 'usbfs')) {
    const fix = brlttyRemedy(readDistro(fs));
    return makeCheck(lang, {
      id: 'adapter',
      status: 'fail',
      code: 'PORT_BUSY',
      seen: join([
        prefix,
        t(`${what} is plugged in but has no serial port: brltty (the braille display service) took it over.`, `${what} est branché mais n'a pas de port série : brltty (le service pour afficheurs braille) l'a accaparé.`),
      ], ''),
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
      seen: join([prefix, t(`${what} is plugged in but a program holds it directly (${u.claimedBy}), so it has no serial port.`, `${what} est branché mais un programme le tient directement (${u.claimedBy}), il n'a donc pas de port série.`)], ''),
      remedy: t('Close the program that uses the adapter, then unplug and replug it. The command shows which program it is.', "Fermez le programme qui utilise l'adaptateur, puis débranchez-le et rebranchez-le. La commande montre de quel programme il s'agit."),
      command: `sudo lsof /dev/bus/usb/* 2>/dev/null | grep -v '^COMMAND'`,
      facts,
    });
  }
  const mod = u.module ?? 'usbserial';
  const m = moduleState(fs, mod);
  const missing = t(`${what} is plugged in but no kernel driver is bound to it (${mod} expected): there is no serial port.`, `${what} est branché mais aucun pilote noyau ne lui est associé (${mod} attendu) : il n'y a pas de port série.`);
  const base = { id: 'adapter' as const, status: 'fail' as const, code: 'PORT_OPEN_FAILED' as const, seen: join([prefix, missing], ''), facts: { ...facts, moduleState: m.state, kernel: m.release } };
  if (m.state === 'absent') {
    const distro = readDistro(fs);
    // Ubuntu and its derivatives ship the less common drivers in a separate package per kernel.
    const pkg = distro.id === 'ubuntu' || distro.like.includes('ubuntu') ? `linux-modules-extra-${m.release}` : undefined;
    const command = pkg ? `sudo apt install ${pkg}\nsudo modprobe ${mod}` : distro.family === 'fedora' ? `sudo dnf install kernel-modules-extra\nsudo modprobe ${mod}` : undefined;
    return makeCheck(lang, {
      ...base,
      remedy: command
        ? t(`This kernel (${m.release}) has no ${mod} module installed: install the package that carries it, then load it and replug the head.`, `Ce noyau (${m.release}) n'a pas le module ${mod} : installez le paquet qui le contient, chargez-le et rebranchez la tête.`)
        : t(`This kernel (${m.release}) has no ${mod} module: install your distribution's extra kernel modules, or use a head with another chip.`, `Ce noyau (${m.release}) n'a pas le module ${mod} : installez les modules noyau supplémentaires de votre distribution, ou utilisez une tête avec une autre puce.`),
      command,
    });
  }
  if (m.state === 'loaded' || m.state === 'builtin')
    return makeCheck(lang, {
      ...base,
      remedy: t(`The ${mod} driver is there but did not take the adapter: unplug and replug it; if it stays without a port, the kernel messages say why.`, `Le pilote ${mod} est présent mais n'a pas pris l'adaptateur : débranchez-le et rebranchez-le ; s'il reste sans port, les messages du noyau disent pourquoi.`),
      command: 'sudo dmesg | tail -n 30',
    });
  return makeCheck(lang, {
    ...base,
    remedy: t(`Load the ${mod} driver, then unplug and replug the head.`, `Chargez le pilote ${mod}, puis débranchez et rebranchez la tête.`),
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
        seen: t('No known optical head is plugged in.', "Aucune tête optique connue n'est branchée."),
        remedy: t('Plug the optical head in. Some chips (CH340, older CP210x) need the maker’s driver on macOS.', 'Branchez la tête optique. Certaines puces (CH340, anciens CP210x) demandent le pilote du fabricant sous macOS.'),
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
      seen: t(`${path} is not present.`, `${path} n'est pas présent.`),
      remedy: t('Plug the optical head in, then refresh the port list.', 'Branchez la tête optique, puis actualisez la liste des ports.'),
      facts,
    });
  if (path.startsWith('/dev/tty.')) {
    const cu = path.replace('/dev/tty.', '/dev/cu.');
    return makeCheck(lang, {
      id: 'adapter',
      status: 'warning',
      seen: t(`${desc} on ${path}: a /dev/tty.* port waits for the modem carrier signal.`, `${desc} sur ${path} : un port /dev/tty.* attend le signal de porteuse du modem.`),
      remedy: t(`Use ${cu} instead (the call-out device).`, `Utilisez plutôt ${cu} (le périphérique d'appel sortant).`),
      facts: { ...facts, preferred: cu },
    });
  }
  const known = info?.opticalHead ?? hint !== undefined;
  return makeCheck(lang, {
    id: 'adapter',
    status: known ? 'pass' : 'warning',
    seen: known ? t(`${desc} on ${path}.`, `${desc} sur ${path}.`) : t(`${desc} on ${path}: not a known optical head chip.`, `${desc} sur ${path} : pas une puce de tête optique connue.`),
    remedy: known ? undefined : t('Check that this is the port of the optical head.', "Vérifiez qu'il s'agit bien du port de la tête optique."),
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
        seen: t('No known optical head is plugged in.', "Aucune tête optique connue n'est branchée."),
        remedy: t('Plug the optical head in; in Device Manager, under "Ports (COM & LPT)", it must appear without a warning sign.', 'Branchez la tête optique ; dans le Gestionnaire de périphériques, sous « Ports (COM et LPT) », elle doit apparaître sans signe d’avertissement.'),
      });
    path = head.path;
  }
  const m = /^(?:\\\\\.\\)?(COM)(\d+)$/i.exec(path);
  if (!m)
    return makeCheck(lang, {
      id: 'adapter',
      status: 'fail',
      code: 'PORT_NOT_FOUND',
      seen: t(`${path} is not a Windows serial port name (COM1, COM2…).`, `${path} n'est pas un nom de port série Windows (COM1, COM2…).`),
      remedy: t('Choose a COM port from the list.', 'Choisissez un port COM dans la liste.'),
    });
  const com = `COM${m[2]}`;
  const info = ports?.find((p) => p.path.toUpperCase() === com || p.path.toUpperCase() === `\\\\.\\${com}`);
  if (ports && !info) {
    const present = ports.map((p) => p.path).join(', ') || '—';
    return makeCheck(lang, {
      id: 'adapter',
      status: 'fail',
      code: 'PORT_NOT_FOUND',
      seen: t(`${com} is not present (ports present: ${present}).`, `${com} n'est pas présent (ports présents : ${present}).`),
      remedy: t('Plug the optical head in; the COM number can change when the head goes into another USB socket.', 'Branchez la tête optique ; le numéro COM peut changer si la tête est branchée sur une autre prise USB.'),
      facts: { path: com },
    });
  }
  const driver = info ? windowsDriver(info) : undefined;
  const desc = info ? describePortInfo(info) : 'Serial port';
  const driverText = driver ? t(`, driver ${driver}`, `, pilote ${driver}`) : t('', '');
  const facts = { path: com, vidPid: info?.vendorId && info.productId ? `${info.vendorId}:${info.productId}` : undefined, manufacturer: info?.manufacturer, serialNumber: info?.serialNumber, driver, opticalHead: info?.opticalHead };
  const known = info?.opticalHead === true;
  return makeCheck(lang, {
    id: 'adapter',
    status: known ? 'pass' : 'warning',
    seen: join([t(`${desc} on ${com}`, `${desc} sur ${com}`), driverText, known ? t('.', '.') : t(': not a known optical head chip.', ' : pas une puce de tête optique connue.')], ''),
    remedy: known ? undefined : t('Check that this is the port of the optical head.', "Vérifiez qu'il s'agit bien du port de la tête optique."),
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
      seen: t(`No device permissions to check on ${platformName(input.platform)}; opening the port will tell.`, `Pas de droits de périphérique à vérifier sous ${platformName(input.platform)} ; l'ouverture du port le dira.`),
    });
  if (input.port === '')
    return makeCheck(lang, { id: 'permission', status: 'skipped', seen: t('No port to check.', 'Aucun port à vérifier.') });
  const { fs, user } = input;
  const devPath = fs.realPath(input.port) ?? input.port;
  const st = fs.stat(devPath);
  if (!st)
    return makeCheck(lang, { id: 'permission', status: 'skipped', seen: t(`${devPath} does not exist: nothing to check.`, `${devPath} n'existe pas : rien à vérifier.`) });
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
        ? t(` through the ${groupName} group`, ` par le groupe ${groupName}`)
        : byMode.via === 'root'
          ? t(' as root', ' en tant que root')
          : byMode.via === 'owner'
            ? t(' as owner', ' en tant que propriétaire')
            : t('', '');
    return makeCheck(lang, {
      id: 'permission',
      status: 'pass',
      seen: t(`${user.username} may read and write ${devPath} (${modeText})${via.en}.`, `${user.username} peut lire et écrire ${devPath} (${modeText})${via.fr}.`),
      facts,
    });
  }
  if (!byMode.ok && kernel === true)
    return makeCheck(lang, {
      id: 'permission',
      status: 'pass',
      seen: t(
        `${user.username} may read and write ${devPath} through an access list (udev "uaccess" for the logged-in user), although ${modeText} alone would not allow it.`,
        `${user.username} peut lire et écrire ${devPath} grâce à une liste d'accès (« uaccess » de udev pour l'utilisateur connecté), bien que ${modeText} seul ne le permette pas.`,
      ),
      facts: { ...facts, acl: true },
    });
  if (byMode.ok && kernel === false)
    return makeCheck(lang, {
      id: 'permission',
      status: 'fail',
      code: 'PORT_PERMISSION',
      seen: t(
        `${devPath} (${modeText}) should be open to ${user.username}, yet the system refuses: the app runs in a sandbox (Snap, Flatpak) or a security policy (AppArmor, SELinux) blocks it.`,
        `${devPath} (${modeText}) devrait être accessible à ${user.username}, mais le système refuse : l'application tourne dans un bac à sable (Snap, Flatpak) ou une politique de sécurité (AppArmor, SELinux) la bloque.`,
      ),
      remedy: t('Use the AppImage or .deb build of the app, or give the sandbox access to serial ports (Snap: connect the raw-usb / serial-port interface).', "Utilisez la version AppImage ou .deb de l'application, ou donnez au bac à sable l'accès aux ports série (Snap : connectez l'interface raw-usb / serial-port)."),
      facts,
    });

  // Denied: explain why, from the groups.
  const installRule = udevInstallCommand(input);
  const ruleAlt = rule.path
    ? t('', '')
    : installRule
      ? t(` Or install the app's udev rule (${OMR_UDEV_RULE}): ${installRule.split('\n').join(' && ')}`, ` Ou installez la règle udev de l'application (${OMR_UDEV_RULE}) : ${installRule.split('\n').join(' && ')}`)
      : t(` Or install the app's udev rule (${OMR_UDEV_RULE}).`, ` Ou installez la règle udev de l'application (${OMR_UDEV_RULE}).`);
  const ruleSeen = rule.path ? t(` The app's udev rule is installed (${rule.path}).`, ` La règle udev de l'application est installée (${rule.path}).`) : t(` The app's udev rule is not installed.`, ` La règle udev de l'application n'est pas installée.`);

  if (!group || st.gid === 0 || (st.mode & 0o060) !== 0o060) {
    // The group gives no access (root only, or no rw for the group): a rule must open the device.
    return makeCheck(lang, {
      id: 'permission',
      status: 'fail',
      code: 'PORT_PERMISSION',
      seen: join([t(`${user.username} may not open ${devPath} (${modeText}): no group gives access to it.`, `${user.username} ne peut pas ouvrir ${devPath} (${modeText}) : aucun groupe n'y donne accès.`), ruleSeen], ''),
      remedy: installRule
        ? t(`Install the app's udev rule, then unplug and replug the head.`, `Installez la règle udev de l'application, puis débranchez et rebranchez la tête.`)
        : t(`Install the app's udev rule (${OMR_UDEV_RULE}), then unplug and replug the head.`, `Installez la règle udev de l'application (${OMR_UDEV_RULE}), puis débranchez et rebranchez la tête.`),
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
      seen: t(
        `${user.username} was added to the ${group.name} group that owns ${devPath} (${modeText}), but this login session started before that: the group is not active yet.`,
        `${user.username} a été ajouté au groupe ${group.name} propriétaire de ${devPath} (${modeText}), mais cette session a été ouverte avant : le groupe n'est pas encore actif.`,
      ),
      remedy: t('Log out and back in (or restart the computer), then start the app again.', "Fermez la session et rouvrez-la (ou redémarrez l'ordinateur), puis relancez l'application."),
      facts: { ...facts, listedInGroup: true, groupActive: false },
    });
  return makeCheck(lang, {
    id: 'permission',
    status: 'fail',
    code: 'PORT_PERMISSION',
    seen: join([
      t(`${user.username} may not open ${devPath} (${modeText}) and is not in the ${group.name} group.`, `${user.username} ne peut pas ouvrir ${devPath} (${modeText}) et n'est pas dans le groupe ${group.name}.`),
      ruleSeen,
    ], ''),
    remedy: join([t(`Add ${user.username} to the ${group.name} group, then log out and back in.`, `Ajoutez ${user.username} au groupe ${group.name}, puis fermez et rouvrez la session.`), ruleAlt], ''),
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
      remedy: t(
        `If no braille display is used on this computer, remove brltty, then unplug and replug the head. To keep brltty, disable its udev rule instead: ${keep.split('\n').join(' && ')}`,
        `Si aucun afficheur braille n'est utilisé sur cet ordinateur, désinstallez brltty, puis débranchez et rebranchez la tête. Pour garder brltty, désactivez plutôt sa règle udev : ${keep.split('\n').join(' && ')}`,
      ),
      command: rm,
    };
  }
  return {
    remedy: t('Disable the brltty udev rule (or remove brltty if no braille display is used), then unplug and replug the head.', "Désactivez la règle udev de brltty (ou désinstallez brltty si aucun afficheur braille n'est utilisé), puis débranchez et rebranchez la tête."),
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
      seen: t(`Other programs cannot be inspected on ${platformName(input.platform)}; opening the port will tell if one holds it.`, `Les autres programmes ne peuvent pas être examinés sous ${platformName(input.platform)} ; l'ouverture du port dira si l'un d'eux le tient.`),
    });
  if (input.port === '') return makeCheck(lang, { id: 'conflicts', status: 'skipped', seen: t('No port to check.', 'Aucun port à vérifier.') });
  const { fs } = input;
  const port = inspectPort(fs, input.port);
  if (!port.nodeExists)
    return makeCheck(lang, { id: 'conflicts', status: 'skipped', seen: t(`${port.devPath} does not exist: nothing to check.`, `${port.devPath} n'existe pas : rien à vérifier.`) });
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
        seen: t(`ModemManager (pid ${h.pid}) has ${port.devPath} open: it probes serial adapters for modems.`, `ModemManager (pid ${h.pid}) a ouvert ${port.devPath} : il sonde les adaptateurs série à la recherche de modems.`),
        remedy: t('Stop ModemManager (if this computer uses no mobile-broadband modem), then try again.', "Arrêtez ModemManager (si cet ordinateur n'utilise pas de modem 3G/4G), puis réessayez."),
        command: stopMm,
      });
    else
      findings.push({
        status: 'fail',
        code: 'PORT_BUSY',
        seen: t(`${port.devPath} is held by ${holderText(h)}.`, `${port.devPath} est tenu par ${holderText(h)}.`),
        remedy: t(`Close ${h.comm}; if it does not let go, end it with the command.`, `Fermez ${h.comm} ; s'il ne libère pas le port, arrêtez-le avec la commande.`),
        command: `kill ${h.pid}`,
      });
  }

  if (port.usb && chipHasBrlttyProblem(port.usb)) {
    const b = brlttyState(fs);
    if (b.running || b.ruleActive) {
      const fix = brlttyRemedy(readDistro(fs));
      const why = [b.running ? `brltty runs (pid ${b.pids.join(', ')})` : undefined, b.rulePath ? `its udev rule ${b.rulePath} is active` : undefined].filter(Boolean).join(' and ');
      const pourquoi = [b.running ? `brltty tourne (pid ${b.pids.join(', ')})` : undefined, b.rulePath ? `sa règle udev ${b.rulePath} est active` : undefined].filter(Boolean).join(' et ');
      findings.push({
        status: 'fail',
        code: 'PORT_BUSY',
        seen: t(
          `The adapter is a CH340 (${vidPid(port.usb)}) and ${why}: brltty takes CH340 adapters for braille displays and the serial port disappears.`,
          `L'adaptateur est un CH340 (${vidPid(port.usb)}) et ${pourquoi} : brltty prend les adaptateurs CH340 pour des afficheurs braille et le port série disparaît.`,
        ),
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
        seen: t(
          `ModemManager is running (pid ${mm.pid}); it may open ${port.module === 'cdc_acm' ? 'CDC-ACM' : 'FTDI'} adapters to probe for a modem and disturb the first exchange.`,
          `ModemManager tourne (pid ${mm.pid}) ; il peut ouvrir les adaptateurs ${port.module === 'cdc_acm' ? 'CDC-ACM' : 'FTDI'} pour y chercher un modem et perturber le premier échange.`,
        ),
        remedy: ignore
          ? t(`Stop it while reading, or make it ignore this adapter for good: ${ignore}`, `Arrêtez-le pendant la relève, ou faites-lui ignorer cet adaptateur pour de bon : ${ignore}`)
          : t('Stop it while reading.', 'Arrêtez-le pendant la relève.'),
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
      ? t(` ${port.devPath} is a pseudo-terminal provided by ${providers.map((h) => h.comm).join(', ')}.`, ` ${port.devPath} est un pseudo-terminal fourni par ${providers.map((h) => h.comm).join(', ')}.`)
      : t('', '');
    const note = unreadable > 0 ? t(` (${unreadable} ${unreadable === 1 ? 'process' : 'processes'} of other users could not be looked into.)`, ` (${unreadable} processus d'autres utilisateurs n'ont pas pu être examinés.)`) : t('', '');
    return makeCheck(lang, {
      id: 'conflicts',
      status: 'pass',
      seen: join([t(`No other program holds ${port.devPath}; neither ModemManager nor brltty is in the way.`, `Aucun autre programme ne tient ${port.devPath} ; ni ModemManager ni brltty ne gênent.`), provided, note], ''),
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
    seen: join(ordered.map((f) => f.seen)),
    remedy: join(ordered.map((f) => f.remedy).filter((r): r is Bilingual => !!r)),
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
