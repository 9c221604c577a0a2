/**
 * Port discovery that works everywhere: serialport's list() where it works, and on Linux a
 * fallback that reads /sys/class/tty and /dev/serial/by-id (serialport's Linux list spawns
 * `udevadm`, which containers and minimal systems lack). Each port says whether it looks like an
 * optical head; the built-in demo meter is always offered.
 */
import type { PortInfo } from '../../../shared/types';
import { HostFs } from '../../runtime/hostfs';
import { VIRTUAL_PORT_PATH } from '../../link/open';

/** What serialport's list() returns (the fields we use). */
export interface RawPortInfo {
  path: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  vendorId?: string | undefined;
  productId?: string | undefined;
  pnpId?: string | undefined;
}

export const VIRTUAL_PORT: PortInfo = {
  path: VIRTUAL_PORT_PATH,
  manufacturer: 'Optical Meter Reader',
  opticalHead: false,
  headName: 'Demo meter (virtual E450)',
  kind: 'virtual',
};

/** USB serial chips used in optical heads, by VID:PID (lower-case hex). */
export const KNOWN_HEAD_CHIPS: Record<string, string> = {
  '0403:6001': 'FTDI FT232R',
  '0403:6015': 'FTDI FT-X',
  '0403:6010': 'FTDI FT2232',
  '0403:6014': 'FTDI FT232H',
  '10c4:ea60': 'Silicon Labs CP210x',
  '1a86:7523': 'WCH CH340',
  '1a86:5523': 'WCH CH341',
  '1a86:55d4': 'WCH CH9102',
  '067b:2303': 'Prolific PL2303',
  '067b:23a3': 'Prolific PL2303GC',
};

/** Makers and product words of optical heads, matched in the manufacturer/product strings. */
const HEAD_MAKERS: [RegExp, string][] = [
  [/weidmann/i, 'Weidmann optical head'],
  [/hichi/i, 'Hichi IR head'],
  [/volkszaehler|volkszähler/i, 'volkszaehler IR head'],
  [/bitshake/i, 'bitShake IR head'],
  [/\bemh\b/i, 'EMH optical head'],
  [/\b(iec|ir|optical|optique|opto)\b.*head|\bir[- ]?kopf|lesekopf/i, 'IR head'],
];

export function recogniseHead(p: {
  vendorId?: string | undefined;
  productId?: string | undefined;
  manufacturer?: string | undefined;
  product?: string | undefined;
}): string | undefined {
  const text = `${p.manufacturer ?? ''} ${p.product ?? ''}`;
  for (const [re, name] of HEAD_MAKERS) if (re.test(text)) return name;
  if (p.vendorId && p.productId) {
    const chip = KNOWN_HEAD_CHIPS[`${p.vendorId.toLowerCase()}:${p.productId.toLowerCase()}`];
    if (chip) return chip;
  }
  return undefined;
}

export interface PortListDeps {
  /** serialport's list(); omitted where serialport is not available. */
  serialportList?: () => Promise<RawPortInfo[]>;
  fs?: HostFs;
  platform?: NodeJS.Platform;
  /** Whether `udevadm` can be run (serialport's Linux list needs it). */
  hasUdevadm?: () => boolean;
  /** Offer the built-in demo meter (default true). */
  includeVirtual?: boolean;
}

export interface PortListResult {
  ports: PortInfo[];
  /** How the list was made, for diagnostics: `serialport`, `sysfs`, or `serialport+sysfs`. */
  method: string;
  /** Why the primary method was not used, when it was not. */
  fallbackReason?: string;
}

/** Serial ports as the Linux kernel shows them, without udev. */
export function listLinuxSysfsPorts(fs: HostFs): PortInfo[] {
  const byId = new Map<string, string>();
  for (const name of fs.readDir('/dev/serial/by-id')) {
    const target = fs.resolveLink(`/dev/serial/by-id/${name}`);
    if (target) byId.set(target, `/dev/serial/by-id/${name}`);
  }
  const out: PortInfo[] = [];
  for (const name of fs.readDir('/sys/class/tty')) {
    if (!/^(ttyUSB|ttyACM|ttyAMA|ttyS|ttyXRUSB|rfcomm|ttyCH343USB)\d+$/.test(name)) continue;
    const base = `/sys/class/tty/${name}`;
    const device = fs.realPath(`${base}/device`);
    if (!device) continue; // virtual consoles and ptys have no device
    // Legacy 16550 ports exist in /sys even when no UART is fitted: the type is then 0.
    if (name.startsWith('ttyS') && (fs.readAttr(`${base}/type`) ?? '0') === '0') continue;
    const driverLink = fs.realPath(`${base}/device/driver`);
    const driver = driverLink ? driverLink.split('/').pop() : undefined;
    // Walk up from the interface to the USB device, which carries idVendor/idProduct.
    let usb: string | undefined;
    for (let dir = device; dir && dir !== '/' && dir.startsWith('/sys'); dir = dir.slice(0, dir.lastIndexOf('/'))) {
      if (fs.exists(`${dir}/idVendor`)) {
        usb = dir;
        break;
      }
    }
    const path = `/dev/${name}`;
    const vendorId = usb ? fs.readAttr(`${usb}/idVendor`) : undefined;
    const productId = usb ? fs.readAttr(`${usb}/idProduct`) : undefined;
    const manufacturer = usb ? fs.readAttr(`${usb}/manufacturer`) : undefined;
    const product = usb ? fs.readAttr(`${usb}/product`) : undefined;
    const serialNumber = usb ? fs.readAttr(`${usb}/serial`) : undefined;
    const headName = recogniseHead({ vendorId, productId, manufacturer, product });
    out.push(
      clean({
        path,
        manufacturer,
        serialNumber,
        vendorId,
        productId,
        byId: byId.get(path),
        driver,
        opticalHead: headName !== undefined,
        headName: headName ?? product,
        kind: 'serial',
      }),
    );
  }
  return out;
}

function fromRaw(p: RawPortInfo): PortInfo {
  const vendorId = p.vendorId?.toLowerCase();
  const productId = p.productId?.toLowerCase();
  const headName = recogniseHead({ vendorId, productId, manufacturer: p.manufacturer, product: p.pnpId });
  return clean({
    path: p.path,
    manufacturer: p.manufacturer,
    serialNumber: p.serialNumber,
    vendorId,
    productId,
    opticalHead: headName !== undefined,
    headName,
    kind: 'serial',
  });
}

function clean(p: PortInfo): PortInfo {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== '')) as unknown as PortInfo;
}

/** Optical heads first, then the demo meter, then the other ports; each group by path. */
export function sortPorts(ports: PortInfo[]): PortInfo[] {
  const rank = (p: PortInfo) => (p.opticalHead ? 0 : p.kind === 'virtual' ? 1 : 2);
  return [...ports].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path, 'en', { numeric: true }));
}

export async function listPorts(deps: PortListDeps = {}): Promise<PortListResult> {
  const platform = deps.platform ?? process.platform;
  const fs = deps.fs ?? new HostFs('/');
  const includeVirtual = deps.includeVirtual ?? true;
  let ports: PortInfo[] = [];
  let method = 'serialport';
  let fallbackReason: string | undefined;

  const linux = platform === 'linux';
  const canUseSerialport = !!deps.serialportList && (!linux || (deps.hasUdevadm?.() ?? true));
  if (canUseSerialport) {
    try {
      ports = (await deps.serialportList!()).map(fromRaw);
    } catch (e) {
      fallbackReason = `serialport list() failed: ${(e as Error).message}`;
    }
  } else {
    fallbackReason = !deps.serialportList ? 'serialport is not available' : 'udevadm is not installed';
  }

  if (linux) {
    const sys = listLinuxSysfsPorts(fs);
    if (fallbackReason !== undefined) {
      ports = sys;
      method = 'sysfs';
    } else {
      // Enrich serialport's answer with what only sysfs knows (driver, by-id path), and add
      // ports it missed.
      const byPath = new Map(sys.map((p) => [p.path, p]));
      ports = ports.map((p) => {
        const s = byPath.get(p.path);
        byPath.delete(p.path);
        return s ? clean({ ...s, ...p, driver: s.driver, byId: s.byId, opticalHead: p.opticalHead || s.opticalHead, headName: p.headName ?? s.headName }) : p;
      });
      ports.push(...byPath.values());
      method = 'serialport+sysfs';
    }
  } else if (fallbackReason !== undefined) {
    method = 'none';
  }

  if (includeVirtual) ports.push(VIRTUAL_PORT);
  return fallbackReason === undefined ? { ports: sortPorts(ports), method } : { ports: sortPorts(ports), method, fallbackReason };
}
