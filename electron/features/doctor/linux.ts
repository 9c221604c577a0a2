/**
 * Facts about a Linux host, read through {@link HostFs} only (so every function here runs against
 * a fixture tree in tests): the serial port's USB adapter in /sys, USB serial chips with no driver,
 * users and groups in /etc, processes in /proc, udev rules, the distribution. No judgement here:
 * system.ts turns these facts into checks.
 */
import { posix } from 'node:path';
import { KNOWN_HEAD_CHIPS, recogniseHead } from '../ports/ports';
import type { HostFs } from '../../runtime/hostfs';

export const OMR_UDEV_RULE = '60-optical-meter-reader.rules';
const RULE_DIRS = ['/etc/udev/rules.d', '/run/udev/rules.d', '/lib/udev/rules.d', '/usr/lib/udev/rules.d'];

/** The vendors of USB serial chips found in optical heads. */
const SERIAL_CHIP_VENDORS = new Set(['0403', '10c4', '1a86', '067b']);

export interface UsbDevice {
  /** The USB device folder in /sys (host path). */
  sysPath: string;
  vendorId: string;
  productId: string;
  manufacturer?: string;
  product?: string;
  serial?: string;
}

export function vidPid(u: { vendorId: string; productId: string }): string {
  return `${u.vendorId}:${u.productId}`;
}

/** The kernel module that drives a USB serial chip (what `modprobe` loads). */
export function moduleForChip(vendorId: string, productId: string): string | undefined {
  switch (vendorId.toLowerCase()) {
    case '0403':
      return 'ftdi_sio';
    case '10c4':
      return 'cp210x';
    case '067b':
      return 'pl2303';
    case '1a86':
      return productId.toLowerCase() === '55d4' ? 'cdc_acm' : 'ch341';
    default:
      return undefined;
  }
}

function readUsbDevice(fs: HostFs, sysPath: string): UsbDevice | undefined {
  const vendorId = fs.readAttr(`${sysPath}/idVendor`);
  const productId = fs.readAttr(`${sysPath}/idProduct`);
  if (!vendorId || !productId) return undefined;
  const d: UsbDevice = { sysPath, vendorId: vendorId.toLowerCase(), productId: productId.toLowerCase() };
  const manufacturer = fs.readAttr(`${sysPath}/manufacturer`);
  const product = fs.readAttr(`${sysPath}/product`);
  const serial = fs.readAttr(`${sysPath}/serial`);
  if (manufacturer) d.manufacturer = manufacturer;
  if (product) d.product = product;
  if (serial) d.serial = serial;
  return d;
}

function driverName(fs: HostFs, sysPath: string): string | undefined {
  const link = fs.realPath(`${sysPath}/driver`) ?? fs.resolveLink(`${sysPath}/driver`);
  return link ? posix.basename(link) : undefined;
}

export interface LinuxPort {
  /** The path as given (may be a /dev/serial/by-id link). */
  requested: string;
  /** The device node the path leads to (`/dev/ttyUSB0`). */
  devPath: string;
  /** Kernel name (`ttyUSB0`). */
  name: string;
  /** The device node exists in /dev. */
  nodeExists: boolean;
  /** /sys/class/tty/<name> has a device behind it (a real serial port, not a pty). */
  sysDevice: boolean;
  /** `/sys/class/tty/<name>/device/driver` (`ftdi_sio`, `ch341-uart`, `cdc_acm`, `serial8250`). */
  ttyDriver?: string;
  /** The driver of the USB interface, i.e. the module name (`ftdi_sio`, `ch341`, `cdc_acm`). */
  module?: string;
  usb?: UsbDevice;
  /** What the adapter was recognised as (`FTDI FT232R`), when it is a known optical head. */
  head?: string;
}

export function inspectPort(fs: HostFs, requested: string): LinuxPort {
  const devPath = fs.realPath(requested) ?? requested;
  const name = posix.basename(devPath);
  const port: LinuxPort = { requested, devPath, name, nodeExists: fs.exists(devPath), sysDevice: false };
  const base = `/sys/class/tty/${name}`;
  const device = fs.realPath(`${base}/device`);
  if (!device) return port;
  port.sysDevice = true;
  const ttyDriver = driverName(fs, `${base}/device`);
  if (ttyDriver) port.ttyDriver = ttyDriver;
  // Walk up from the port to the USB device; the first folder with a driver on the way that is a
  // USB interface (its name has a ':') gives the module.
  for (let dir = device; dir.startsWith('/sys/') && dir !== '/sys'; dir = posix.dirname(dir)) {
    const leaf = posix.basename(dir);
    if (!port.module && /^\d+-[\d.]+:\d+\.\d+$/.test(leaf)) {
      const m = driverName(fs, dir);
      if (m) port.module = m;
    }
    const usb = readUsbDevice(fs, dir);
    if (usb) {
      port.usb = usb;
      break;
    }
  }
  if (!port.module && port.ttyDriver) port.module = port.ttyDriver;
  const head = recogniseHead({
    vendorId: port.usb?.vendorId,
    productId: port.usb?.productId,
    manufacturer: port.usb?.manufacturer,
    product: port.usb?.product,
  });
  if (head) port.head = head;
  return port;
}

export interface UnboundChip {
  usb: UsbDevice;
  /** The interface (`1-4:1.0`). */
  iface: string;
  /** The chip name when known (`Silicon Labs CP210x`). */
  chip?: string;
  /** The module that should drive it. */
  module?: string;
  /** A driver that holds the interface instead of the serial driver: `usbfs` = a program (brltty…). */
  claimedBy?: string;
}

/**
 * USB serial chips that have no serial port: a vendor-specific interface (bInterfaceClass ff) of a
 * known serial chip with no driver bound, or bound to usbfs (a program took the device over).
 */
export function findUnboundSerialChips(fs: HostFs): UnboundChip[] {
  const out: UnboundChip[] = [];
  for (const entry of fs.readDir('/sys/bus/usb/devices')) {
    if (!entry.includes(':')) continue;
    const iface = fs.realPath(`/sys/bus/usb/devices/${entry}`);
    if (!iface) continue;
    if ((fs.readAttr(`${iface}/bInterfaceClass`) ?? '').toLowerCase() !== 'ff') continue;
    const usb = readUsbDevice(fs, posix.dirname(iface));
    if (!usb) continue;
    const chip = KNOWN_HEAD_CHIPS[vidPid(usb)];
    if (!chip && !SERIAL_CHIP_VENDORS.has(usb.vendorId)) continue;
    const driver = driverName(fs, iface);
    if (driver && driver !== 'usbfs') continue;
    const u: UnboundChip = { usb, iface: entry };
    if (chip) u.chip = chip;
    const module = moduleForChip(usb.vendorId, usb.productId);
    if (module) u.module = module;
    if (driver) u.claimedBy = driver;
    out.push(u);
  }
  return out;
}

export type ModuleState = 'loaded' | 'available' | 'builtin' | 'absent' | 'unknown';

/** Whether a kernel module is loaded, can be loaded, or is not part of this kernel. */
export function moduleState(fs: HostFs, module: string): { state: ModuleState; release?: string } {
  const release = fs.readAttr('/proc/sys/kernel/osrelease');
  if (fs.exists(`/sys/module/${module}`)) return release ? { state: 'loaded', release } : { state: 'loaded' };
  if (!release) return { state: 'unknown' };
  const re = new RegExp(`(^|/)${module.replace(/_/g, '[_-]')}\\.ko(\\.[a-z0-9]+)?(:|$)`, 'm');
  if (re.test(fs.readText(`/lib/modules/${release}/modules.builtin`) ?? '')) return { state: 'builtin', release };
  const dep = fs.readText(`/lib/modules/${release}/modules.dep`);
  if (dep === undefined) return { state: 'unknown', release };
  return { state: re.test(dep) ? 'available' : 'absent', release };
}

// --- users and groups ---------------------------------------------------------------------------

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function readGroups(fs: HostFs): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of (fs.readText('/etc/group') ?? '').split('\n')) {
    const [name, , gid, members] = line.split(':');
    if (!name || gid === undefined || !/^\d+$/.test(gid)) continue;
    out.push({
      name,
      gid: Number(gid),
      members: (members ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean),
    });
  }
  return out;
}

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

export function readPasswd(fs: HostFs): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of (fs.readText('/etc/passwd') ?? '').split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (!name || !uid || !gid || !/^\d+$/.test(uid) || !/^\d+$/.test(gid)) continue;
    out.push({ name, uid: Number(uid), gid: Number(gid) });
  }
  return out;
}

/** Uid, gid and supplementary groups of the process, from /proc/self/status. */
export function readProcStatus(fs: HostFs, pid: number | 'self' = 'self'): { uid?: number; gid?: number; groups?: number[] } {
  const text = fs.readText(`/proc/${pid}/status`);
  if (text === undefined) return {};
  const field = (k: string) => new RegExp(`^${k}:[ \\t]*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const out: { uid?: number; gid?: number; groups?: number[] } = {};
  const uid = field('Uid')?.split(/\s+/)[0];
  const gid = field('Gid')?.split(/\s+/)[0];
  if (uid && /^\d+$/.test(uid)) out.uid = Number(uid);
  if (gid && /^\d+$/.test(gid)) out.gid = Number(gid);
  const groups = field('Groups');
  if (groups !== undefined)
    out.groups = groups
      .split(/\s+/)
      .filter((g) => /^\d+$/.test(g))
      .map(Number);
  return out;
}

// --- processes -----------------------------------------------------------------------------------

export interface ProcessInfo {
  pid: number;
  comm: string;
  /** The command line, arguments separated by spaces. */
  cmdline: string;
}

export function listProcesses(fs: HostFs): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of fs.readDir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = fs.readAttr(`/proc/${entry}/comm`);
    if (comm === undefined) continue;
    const cmdline = (fs.readText(`/proc/${entry}/cmdline`) ?? '').split('\0').filter(Boolean).join(' ');
    out.push({ pid: Number(entry), comm, cmdline });
  }
  return out.sort((a, b) => a.pid - b.pid);
}

export function selfPid(fs: HostFs): number | undefined {
  const t = fs.readLink('/proc/self');
  return t !== undefined && /^\d+$/.test(posix.basename(t)) ? Number(posix.basename(t)) : undefined;
}

export interface Holder extends ProcessInfo {
  fd: string;
  /** The process also holds a pseudo-terminal master (/dev/ptmx): it provides the pty. */
  holdsPtyMaster?: boolean;
}

/**
 * Processes that have one of `paths` open (their /proc/PID/fd links point at it). Processes of
 * other users cannot be looked into without root: they are counted in `unreadable`.
 */
export function findHolders(fs: HostFs, paths: string[], skipPid?: number): { holders: Holder[]; unreadable: number } {
  const wanted = new Set(paths);
  const holders: Holder[] = [];
  let unreadable = 0;
  for (const p of listProcesses(fs)) {
    // Kernel threads (no command line) hold no files, and their empty fd folder is no secret.
    if (p.pid === skipPid || p.cmdline === '') continue;
    const fds = fs.readDir(`/proc/${p.pid}/fd`);
    if (fds.length === 0) {
      if (fs.exists(`/proc/${p.pid}/fd`)) unreadable++;
      continue;
    }
    let hit: string | undefined;
    let master = false;
    for (const fd of fds) {
      const target = fs.resolveLink(`/proc/${p.pid}/fd/${fd}`);
      if (target === '/dev/ptmx' || target === '/dev/pts/ptmx') master = true;
      if (target && wanted.has(target)) hit ??= fd;
    }
    if (hit !== undefined) holders.push({ ...p, fd: hit, ...(master ? { holdsPtyMaster: true } : {}) });
  }
  return { holders, unreadable };
}

// --- udev rules and distribution ------------------------------------------------------------------

/** Where a udev rule file of that name is, and whether it is masked (linked to /dev/null in /etc). */
export function findUdevRule(fs: HostFs, name: string): { path?: string; masked: boolean } {
  for (const dir of RULE_DIRS) {
    const path = `${dir}/${name}`;
    const link = fs.readLink(path);
    if (link === '/dev/null') return { path, masked: true };
    if (fs.exists(path)) return { path, masked: false };
  }
  return { masked: false };
}

export type DistroFamily = 'debian' | 'fedora' | 'arch' | 'suse' | 'other';

export interface Distro {
  id: string;
  /** ID_LIKE of os-release (`ubuntu debian` on Linux Mint). */
  like: string[];
  name: string;
  family: DistroFamily;
}

export function readDistro(fs: HostFs): Distro {
  const text = fs.readText('/etc/os-release') ?? fs.readText('/usr/lib/os-release') ?? '';
  const field = (k: string) =>
    new RegExp(`^${k}=(.*)$`, 'm')
      .exec(text)?.[1]
      ?.trim()
      .replace(/^["']|["']$/g, '') ?? '';
  const id = field('ID').toLowerCase();
  const idLike = field('ID_LIKE').toLowerCase().split(/\s+/).filter(Boolean);
  const like = [id, ...idLike];
  const family: DistroFamily = like.some((x) => x === 'debian' || x === 'ubuntu')
    ? 'debian'
    : like.some((x) => x === 'fedora' || x === 'rhel' || x === 'centos')
      ? 'fedora'
      : like.includes('arch')
        ? 'arch'
        : like.some((x) => x.startsWith('suse') || x.startsWith('opensuse'))
          ? 'suse'
          : 'other';
  return { id, like: idLike, name: field('PRETTY_NAME') || field('NAME') || id || 'Linux', family };
}
