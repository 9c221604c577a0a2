/**
 * The doctor's adapter check: which USB serial adapter (or built-in port) is behind the port, and
 * whether it is a known optical head chip, per system (Linux from /sys, macOS and Windows from
 * serialport's list). Pure: it never changes the system.
 */
import { both, joinTexts } from '../../../shared/i18n';
import { listLinuxSysfsPorts } from '../ports/ports';
import { findUnboundSerialChips, inspectPort, moduleState, readDistro, vidPid, type LinuxPort, type UnboundChip } from './linux';
import { brlttyRemedy, brlttyState, chipHasBrlttyProblem } from './brltty';
import { describeUsb, notLocal, type DoctorPortInfo, type SystemInput } from './system-input';
import { makeCheck, type Bilingual, type Check } from '../../../shared/doctor';

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
      if (!input.port)
        return makeCheck(lang, {
          id: 'adapter',
          status: 'fail',
          seen: both('doctor.adapter.unsearchable', { platform: input.platform }),
          remedy: both('doctor.adapter.givePort'),
        });
      return makeCheck(lang, {
        id: 'adapter',
        status: 'warning',
        seen: both('doctor.adapter.notInspected', { port: input.port, platform: input.platform }),
        facts: { path: input.port },
      });
    }
  }
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
      const others = heads
        .slice(1)
        .map((h) => h.path)
        .join(', ');
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
  const heads = listLinuxSysfsPorts(fs)
    .filter((p) => p.opticalHead)
    .map((p) => p.path);
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
  const driver =
    port.module && port.ttyDriver && port.module !== port.ttyDriver ? `${port.module} (${port.ttyDriver})` : (port.module ?? port.ttyDriver ?? '?');
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
  const base = {
    id: 'adapter' as const,
    status: 'fail' as const,
    code: 'PORT_OPEN_FAILED' as const,
    seen: joinTexts([prefix, missing]),
    facts: { ...facts, moduleState: m.state, kernel: m.release },
  };
  if (m.state === 'absent') {
    const distro = readDistro(fs);
    // Ubuntu and its derivatives ship the less common drivers in a separate package per kernel.
    const pkg = distro.id === 'ubuntu' || distro.like.includes('ubuntu') ? `linux-modules-extra-${m.release}` : undefined;
    const command = pkg
      ? `sudo apt install ${pkg}\nsudo modprobe ${mod}`
      : distro.family === 'fedora'
        ? `sudo dnf install kernel-modules-extra\nsudo modprobe ${mod}`
        : undefined;
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
  const facts = {
    path,
    vidPid: info?.vendorId && info.productId ? `${info.vendorId}:${info.productId}` : undefined,
    manufacturer: info?.manufacturer,
    serialNumber: info?.serialNumber,
    opticalHead: info?.opticalHead,
  };
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
  const extra = [p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined, p.manufacturer, p.serialNumber ? `S/N ${p.serialNumber}` : undefined]
    .filter(Boolean)
    .join(', ');
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
  const facts = {
    path: com,
    vidPid: info?.vendorId && info.productId ? `${info.vendorId}:${info.productId}` : undefined,
    manufacturer: info?.manufacturer,
    serialNumber: info?.serialNumber,
    driver,
    opticalHead: info?.opticalHead,
  };
  const known = info?.opticalHead === true;
  return makeCheck(lang, {
    id: 'adapter',
    status: known ? 'pass' : 'warning',
    seen: both(known ? 'doctor.adapter.knownWindows' : 'doctor.adapter.unknownWindows', { device: desc, path: com, driver: driverText }),
    remedy: known ? undefined : both('doctor.adapter.checkPort'),
    facts,
  });
}
