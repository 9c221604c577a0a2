import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkAdapter,
  checkConflicts,
  checkPermission,
  currentUser,
  modeAllows,
  systemChecks,
  type SystemInput,
} from '../../../electron/features/doctor/system';
import { findUdevRule, moduleState, readDistro } from '../../../electron/features/doctor/linux';
import { FIXTURES_USABLE, FixtureHostFs, fixtureFs, HOSTFS_FIXTURES } from '../../fixtures/hostfs/fixture-hostfs';

/** The checks' input for a fixture: the user is who /proc/self/status and /etc/passwd say. */
function linux(situation: string, port = '/dev/ttyUSB0', extra: Partial<SystemInput> = {}): SystemInput {
  const fs = fixtureFs(situation);
  return { fs, user: currentUser(fs), platform: 'linux', port, ...extra };
}

/** A writable copy of a fixture, to vary one fact. `%3A` spells ':' in these trees. */
const copies: string[] = [];
afterAll(() => {
  for (const c of copies) rmSync(c, { recursive: true, force: true });
});
function copyOf(situation: string, edit: (root: string) => void): FixtureHostFs {
  const root = mkdtempSync(join(tmpdir(), `omr-doctor-${situation}-`));
  copies.push(root);
  cpSync(join(HOSTFS_FIXTURES, situation), root, { recursive: true, verbatimSymlinks: true });
  edit(root);
  return new FixtureHostFs(root);
}
const write = (root: string, p: string, text: string) => {
  mkdirSync(dirname(join(root, p)), { recursive: true });
  writeFileSync(join(root, p), text);
};
const setStat = (root: string, path: string, patch: Record<string, unknown>) => {
  const file = join(root, '.stat.json');
  const stats = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
  stats[path] = { ...stats[path], ...patch };
  writeFileSync(file, JSON.stringify(stats));
};

describe.skipIf(!FIXTURES_USABLE)('doctor system checks on fixture trees', () => {
  describe('healthy FTDI head', () => {
    it('reads the user from /proc/self/status and /etc/passwd', () => {
      expect(currentUser(fixtureFs('healthy-ftdi'))).toEqual({ uid: 1000, gid: 1000, groups: [4, 20, 24, 27, 46, 1000], username: 'alice' });
    });

    it('passes adapter, permission and conflicts, and says what it saw', () => {
      const [adapter, permission, conflicts] = systemChecks(linux('healthy-ftdi'));
      expect(adapter).toMatchObject({
        id: 'adapter',
        status: 'pass',
        facts: {
          path: '/dev/ttyUSB0',
          vidPid: '0403:6001',
          manufacturer: 'FTDI',
          serialNumber: 'A10KZP45',
          driver: 'ftdi_sio',
          opticalHead: true,
          head: 'FTDI FT232R',
        },
      });
      expect(adapter!.seen).toContain('FTDI FT232R (0403:6001, FTDI, S/N A10KZP45) on /dev/ttyUSB0, kernel driver ftdi_sio');
      expect(permission).toMatchObject({
        status: 'pass',
        facts: { group: 'dialout', mode: '0660', udevRule: '/usr/lib/udev/rules.d/60-optical-meter-reader.rules' },
      });
      expect(permission!.seen).toContain('through the dialout group');
      expect(conflicts).toMatchObject({ status: 'pass' });
      for (const c of [adapter, permission, conflicts]) {
        expect(c!.remedy).toBeUndefined();
        expect(c!.command).toBeUndefined();
      }
    });

    it('follows a /dev/serial/by-id link to the device node', () => {
      const input = linux('healthy-ftdi', '/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10KZP45-if00-port0');
      expect(checkAdapter(input).facts).toMatchObject({ path: '/dev/ttyUSB0', requested: input.port });
      expect(checkPermission(input).facts).toMatchObject({ path: '/dev/ttyUSB0', group: 'dialout' });
    });

    it('finds the head itself when no port is given', () => {
      const adapter = checkAdapter(linux('healthy-ftdi', ''));
      expect(adapter.status).toBe('pass');
      expect(adapter.facts?.path).toBe('/dev/ttyUSB0');
    });

    it('fails with PORT_NOT_FOUND on a port that does not exist and points at the head', () => {
      const c = checkAdapter(linux('healthy-ftdi', '/dev/ttyUSB3'));
      expect(c).toMatchObject({ status: 'fail', code: 'PORT_NOT_FOUND' });
      expect(c.remedy).toContain('/dev/ttyUSB0');
      expect(c.i18n.fr.remedy).toContain('choisissez ce port');
    });

    it('passes a user whose access comes from an ACL (udev uaccess), and fails one a sandbox blocks', () => {
      const acl = copyOf('no-permission', (root) => setStat(root, '/dev/ttyUSB0', { access: true }));
      const viaAcl = checkPermission({ ...linux('no-permission'), fs: acl });
      expect(viaAcl).toMatchObject({ status: 'pass', facts: { acl: true } });
      expect(viaAcl.seen).toContain('uaccess');
      const sandbox = copyOf('healthy-ftdi', (root) => setStat(root, '/dev/ttyUSB0', { access: false }));
      const blocked = checkPermission({ ...linux('healthy-ftdi'), fs: sandbox });
      expect(blocked).toMatchObject({ status: 'fail', code: 'PORT_PERMISSION' });
      expect(blocked.seen).toMatch(/Snap|AppArmor/);
    });
  });

  describe('driver missing', () => {
    it('finds the CP2102 with no driver and no tty, and names the package this Ubuntu kernel lacks', () => {
      for (const port of ['/dev/ttyUSB0', '']) {
        const c = checkAdapter(linux('driver-missing', port));
        expect(c).toMatchObject({
          status: 'fail',
          facts: { vidPid: '10c4:ea60', interface: '1-4:1.0', module: 'cp210x', moduleState: 'absent', kernel: '6.8.0-31-generic' },
        });
        expect(c.seen).toContain('no kernel driver is bound');
        expect(c.command).toBe('sudo apt install linux-modules-extra-6.8.0-31-generic\nsudo modprobe cp210x');
        expect(c.i18n.fr.seen).toContain('aucun pilote noyau ne lui est associé');
      }
      expect(checkAdapter(linux('driver-missing')).seen).toMatch(/^\/dev\/ttyUSB0 does not exist\./);
    });

    it('says to load the module when the kernel has it, and to look at dmesg when it is loaded but unbound', () => {
      const available = copyOf('driver-missing', (root) =>
        write(root, 'lib/modules/6.8.0-31-generic/modules.dep', 'kernel/drivers/usb/serial/cp210x.ko.zst: kernel/drivers/usb/serial/usbserial.ko.zst\n'),
      );
      expect(checkAdapter({ ...linux('driver-missing'), fs: available })).toMatchObject({
        status: 'fail',
        command: 'sudo modprobe cp210x',
        facts: { moduleState: 'available' },
      });
      const loaded = copyOf('driver-missing', (root) => write(root, 'sys/module/cp210x/refcnt', '0\n'));
      expect(checkAdapter({ ...linux('driver-missing'), fs: loaded })).toMatchObject({
        status: 'fail',
        command: 'sudo dmesg | tail -n 30',
        facts: { moduleState: 'loaded' },
      });
    });

    it('takes a pseudo-terminal for what it is, even with an unbound chip plugged in', () => {
      const pty = copyOf('driver-missing', (root) => write(root, 'dev/pts/3', ''));
      const c = checkAdapter({ ...linux('driver-missing', '/dev/pts/3'), fs: pty });
      expect(c.status).toBe('warning');
      expect(c.seen).toContain('pseudo-terminal');
    });

    it('skips permission and conflicts standalone when the node does not exist', () => {
      expect(checkPermission(linux('driver-missing')).status).toBe('skipped');
      expect(checkConflicts(linux('driver-missing')).status).toBe('skipped');
    });
  });

  describe('no permission', () => {
    it('fails, says bob is not in dialout and that the udev rule is missing, and gives usermod', () => {
      const c = checkPermission(linux('no-permission'));
      expect(c).toMatchObject({
        status: 'fail',
        code: 'PORT_PERMISSION',
        command: 'sudo usermod -aG dialout bob',
        facts: { group: 'dialout', listedInGroup: false, user: 'bob' },
      });
      expect(c.seen).toContain('root:dialout 0660');
      expect(c.seen).toContain('is not in the dialout group');
      expect(c.seen).toContain('udev rule is not installed');
      expect(c.remedy).toContain('log out and back in');
      expect(c.i18n.fr.remedy).toContain('Ajoutez bob au groupe dialout');
    });

    it('offers the exact command to install the shipped udev rule when its location is known', () => {
      const c = checkPermission(
        linux('no-permission', '/dev/ttyUSB0', { udevRuleSource: '/opt/Optical Meter Reader/resources/60-optical-meter-reader.rules' }),
      );
      expect(c.remedy).toContain(
        "sudo install -m 0644 '/opt/Optical Meter Reader/resources/60-optical-meter-reader.rules' /etc/udev/rules.d/60-optical-meter-reader.rules && sudo udevadm control --reload-rules",
      );
    });

    it('asks for the udev rule when the node is root-only', () => {
      const rootOnly = copyOf('no-permission', (root) => setStat(root, '/dev/ttyUSB0', { gid: 0, mode: '0600' }));
      const c = checkPermission({
        ...linux('no-permission', '/dev/ttyUSB0', { udevRuleSource: '/usr/share/omr/60-optical-meter-reader.rules' }),
        fs: rootOnly,
      });
      expect(c).toMatchObject({ status: 'fail', code: 'PORT_PERMISSION' });
      expect(c.seen).toContain('no group gives access');
      expect(c.command).toBe(
        'sudo install -m 0644 /usr/share/omr/60-optical-meter-reader.rules /etc/udev/rules.d/60-optical-meter-reader.rules\nsudo udevadm control --reload-rules\nsudo udevadm trigger --subsystem-match=tty',
      );
    });

    it('decides from mode, owner and groups like the kernel', () => {
      const node = { uid: 0, gid: 20, mode: 0o020660 };
      const user = { uid: 1000, gid: 1000, groups: [1000], username: 'u' };
      expect(modeAllows(node, user).ok).toBe(false);
      expect(modeAllows(node, { ...user, groups: [1000, 20] })).toEqual({ ok: true, via: 'group' });
      expect(modeAllows(node, { ...user, gid: 20 })).toEqual({ ok: true, via: 'group' });
      expect(modeAllows(node, { ...user, uid: 0 })).toEqual({ ok: true, via: 'root' });
      expect(modeAllows({ ...node, uid: 1000, mode: 0o020600 }, user)).toEqual({ ok: true, via: 'owner' });
      expect(modeAllows({ ...node, mode: 0o020666 }, user)).toEqual({ ok: true, via: 'other' });
      // The owner class applies alone: an owner without rw is refused even if the group has it.
      expect(modeAllows({ ...node, uid: 1000, mode: 0o020060 }, { ...user, groups: [20] }).ok).toBe(false);
    });
  });

  describe('group added but not active', () => {
    it('fails with "log out and back in" and no command, for the uucp group on Arch', () => {
      const c = checkPermission(linux('group-not-active'));
      expect(c).toMatchObject({ status: 'fail', code: 'PORT_PERMISSION', facts: { group: 'uucp', listedInGroup: true, groupActive: false, user: 'carol' } });
      expect(c.command).toBeUndefined();
      expect(c.seen).toContain('this login session started before that');
      expect(c.remedy).toContain('Log out and back in');
      expect(c.i18n.fr.remedy).toContain('Fermez la session');
    });

    it('passes once the process has the group (after logging in again)', () => {
      const input = linux('group-not-active');
      expect(checkPermission({ ...input, user: { ...input.user, groups: [...input.user.groups, 986] } }).status).toBe('pass');
    });
  });

  describe('ModemManager', () => {
    it('warns for an FTDI adapter, with the stop command and the ID_MM_DEVICE_IGNORE rule for this VID:PID', () => {
      const c = checkConflicts(linux('modemmanager'));
      expect(c).toMatchObject({ status: 'warning', command: 'sudo systemctl stop ModemManager', facts: { modemManager: 612 } });
      expect(c.seen).toContain('ModemManager is running (pid 612)');
      expect(c.remedy).toContain('ATTRS{idVendor}=="0403", ATTRS{idProduct}=="6015", ENV{ID_MM_DEVICE_IGNORE}="1"');
      expect(c.remedy).toContain('sudo tee /etc/udev/rules.d/');
    });

    it('does not warn when the app udev rule (which sets ID_MM_DEVICE_IGNORE) is installed', () => {
      const ruled = copyOf('modemmanager', (root) =>
        write(
          root,
          'etc/udev/rules.d/60-optical-meter-reader.rules',
          readFileSync(join(HOSTFS_FIXTURES, 'healthy-ftdi/usr/lib/udev/rules.d/60-optical-meter-reader.rules'), 'utf8'),
        ),
      );
      expect(checkConflicts({ ...linux('modemmanager'), fs: ruled }).status).toBe('pass');
    });

    it('fails when ModemManager holds the port itself', () => {
      const holding = copyOf('modemmanager', (root) => symlinkSync('../../../dev/ttyUSB0', join(root, 'proc/612/fd/7')));
      const c = checkConflicts({ ...linux('modemmanager'), fs: holding });
      expect(c).toMatchObject({ status: 'fail', code: 'PORT_BUSY', command: 'sudo systemctl stop ModemManager' });
      expect(c.seen).toContain('ModemManager (pid 612) has /dev/ttyUSB0 open');
    });

    it('leaves a CP210x or CH340 alone (ModemManager does not probe them by default)', () => {
      expect(checkConflicts(linux('healthy-ftdi')).facts?.modemManager).toBeUndefined();
      const mmOnCh340 = copyOf('brltty-ch340', (root) => {
        rmSync(join(root, 'proc/733'), { recursive: true });
        rmSync(join(root, 'usr/lib/udev/rules.d/85-brltty.rules'));
        write(root, 'proc/612/comm', 'ModemManager\n');
      });
      expect(checkConflicts({ ...linux('brltty-ch340'), fs: mmOnCh340 })).toMatchObject({ status: 'pass', facts: { modemManager: 612 } });
    });
  });

  describe('brltty with a CH340', () => {
    it('fails the conflicts check with the Debian/Ubuntu commands', () => {
      const c = checkConflicts(linux('brltty-ch340'));
      expect(c).toMatchObject({ status: 'fail', code: 'PORT_BUSY', command: 'sudo apt remove brltty' });
      expect(c.seen).toContain('CH340 (1a86:7523)');
      expect(c.seen).toContain('brltty runs (pid 733)');
      expect(c.seen).toContain('/usr/lib/udev/rules.d/85-brltty.rules');
      expect(c.remedy).toContain(
        'sudo ln -s /dev/null /etc/udev/rules.d/85-brltty.rules && sudo udevadm control --reload-rules && sudo systemctl mask brltty-udev.service',
      );
      expect(c.i18n.fr.seen).toContain('brltty tourne (pid 733)');
    });

    it('fails on the rule alone, and passes once the rule is masked and brltty stopped', () => {
      const ruleOnly = copyOf('brltty-ch340', (root) => rmSync(join(root, 'proc/733'), { recursive: true }));
      const c = checkConflicts({ ...linux('brltty-ch340'), fs: ruleOnly });
      expect(c.status).toBe('fail');
      expect(c.seen).not.toContain('brltty runs');
      const masked = copyOf('brltty-ch340', (root) => {
        rmSync(join(root, 'proc/733'), { recursive: true });
        mkdirSync(join(root, 'etc/udev/rules.d'), { recursive: true });
        symlinkSync('/dev/null', join(root, 'etc/udev/rules.d/85-brltty.rules'));
      });
      expect(findUdevRule(masked, '85-brltty.rules')).toEqual({ path: '/etc/udev/rules.d/85-brltty.rules', masked: true });
      expect(checkConflicts({ ...linux('brltty-ch340'), fs: masked }).status).toBe('pass');
    });

    it('leaves other chips alone: brltty’s generic rule is about the CH340 (1a86:7523)', () => {
      const ch9102 = copyOf('brltty-ch340', (root) => write(root, 'sys/devices/pci0000%3A00/0000%3A00%3A14.0/usb1/1-3/idProduct', '55d4\n'));
      expect(checkConflicts({ ...linux('brltty-ch340'), fs: ch9102 })).toMatchObject({ status: 'pass', facts: { brltty: true } });
      const ftdi = copyOf('healthy-ftdi', (root) => {
        write(root, 'proc/733/comm', 'brltty\n');
        write(root, 'usr/lib/udev/rules.d/85-brltty.rules', '# brltty\n');
      });
      expect(checkConflicts({ ...linux('healthy-ftdi'), fs: ftdi }).status).toBe('pass');
    });

    it('gives the Fedora command on Fedora', () => {
      const fedora = copyOf('brltty-ch340', (root) => write(root, 'etc/os-release', 'NAME="Fedora Linux"\nID=fedora\n'));
      expect(checkConflicts({ ...linux('brltty-ch340'), fs: fedora }).command).toBe('sudo dnf remove brltty');
    });

    it('explains a vanished port: brltty claimed the CH340 through usbfs', () => {
      for (const port of ['/dev/ttyUSB0', '']) {
        const c = checkAdapter(linux('brltty-claimed', port));
        expect(c).toMatchObject({
          status: 'fail',
          code: 'PORT_BUSY',
          command: 'sudo apt remove brltty',
          facts: { vidPid: '1a86:7523', claimedBy: 'usbfs', brlttyRunning: true },
        });
        expect(c.seen).toContain('brltty');
      }
    });
  });

  describe('device held by another process', () => {
    it('names the process from comm and cmdline and gives its pid', () => {
      const c = checkConflicts(linux('held-by-process'));
      expect(c).toMatchObject({ status: 'fail', code: 'PORT_BUSY', command: 'kill 4242', facts: { holders: '4242:minicom' } });
      expect(c.seen).toBe('/dev/ttyUSB0 is held by minicom (pid 4242: minicom -D /dev/ttyUSB0 -b 300).');
      expect(c.i18n.fr.seen).toContain('est tenu par minicom');
    });

    it('finds the holder when the port is given by its by-id link', () => {
      const c = checkConflicts(linux('held-by-process', '/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10KZP45-if00-port0'));
      expect(c.facts?.holders).toBe('4242:minicom');
    });

    it('says how many processes it could not look into (other users’), leaving kernel threads out', () => {
      const hidden = copyOf('healthy-ftdi', (root) => {
        write(root, 'proc/900/comm', 'ser2net\n');
        write(root, 'proc/900/cmdline', 'ser2net\0-n\0');
        mkdirSync(join(root, 'proc/900/fd')); // what a process of another user looks like: no fd visible
        write(root, 'proc/2/comm', 'kthreadd\n');
        write(root, 'proc/2/cmdline', '');
        mkdirSync(join(root, 'proc/2/fd'));
      });
      const c = checkConflicts({ ...linux('healthy-ftdi'), fs: hidden });
      expect(c).toMatchObject({ status: 'pass', facts: { unreadableProcesses: 1 } });
      expect(c.seen).toContain('(1 process of other users could not be looked into.)');
    });

    it('does not count the doctor’s own process', () => {
      const self = copyOf('held-by-process', (root) => {
        rmSync(join(root, 'proc/self'));
        symlinkSync('4242', join(root, 'proc/self'));
      });
      expect(checkConflicts({ ...linux('held-by-process'), fs: self }).status).toBe('pass');
    });
  });

  describe('host facts', () => {
    it('reads the distribution family from os-release, ID_LIKE included', () => {
      expect(readDistro(fixtureFs('group-not-active'))).toMatchObject({ id: 'arch', family: 'arch' });
      expect(readDistro(fixtureFs('modemmanager'))).toMatchObject({ id: 'fedora', family: 'fedora' });
      const mint = copyOf('healthy-ftdi', (root) => write(root, 'etc/os-release', 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\n'));
      expect(readDistro(mint)).toMatchObject({ id: 'linuxmint', like: ['ubuntu', 'debian'], family: 'debian' });
    });

    it('tells a loaded, available, built-in and absent kernel module apart', () => {
      expect(moduleState(fixtureFs('healthy-ftdi'), 'ftdi_sio').state).toBe('loaded');
      expect(moduleState(fixtureFs('driver-missing'), 'ftdi_sio').state).toBe('available');
      expect(moduleState(fixtureFs('driver-missing'), 'cdc_acm').state).toBe('available'); // cdc-acm.ko
      expect(moduleState(fixtureFs('driver-missing'), 'cp210x').state).toBe('absent');
      expect(moduleState(fixtureFs('driver-missing'), 'usbcore').state).toBe('builtin');
      expect(moduleState(fixtureFs('healthy-ftdi'), 'cp210x').state).toBe('unknown'); // no modules.dep in that tree
    });
  });
});

describe('doctor system checks on macOS and Windows (path logic and serialport facts)', () => {
  const base = (platform: string, port: string, ports?: SystemInput['ports']): SystemInput => ({
    fs: fixtureFs('healthy-ftdi'),
    user: { uid: 501, gid: 20, groups: [20], username: 'tech' },
    platform,
    port,
    ...(ports ? { ports } : {}),
  });
  const macFtdi = {
    path: '/dev/cu.usbserial-A10KZP45',
    vendorId: '0403',
    productId: '6001',
    manufacturer: 'FTDI',
    serialNumber: 'A10KZP45',
    opticalHead: true,
    headName: 'FTDI FT232R',
    kind: 'serial' as const,
  };

  it('macOS: warns on /dev/tty.* and names the /dev/cu.* to use', () => {
    const c = checkAdapter(base('darwin', '/dev/tty.usbserial-A10KZP45', [macFtdi]));
    expect(c).toMatchObject({ status: 'warning', facts: { preferred: '/dev/cu.usbserial-A10KZP45', vidPid: '0403:6001' } });
    expect(c.remedy).toContain('Use /dev/cu.usbserial-A10KZP45');
    expect(checkAdapter(base('darwin', '/dev/cu.usbserial-A10KZP45', [macFtdi])).status).toBe('pass');
  });

  it('macOS: guesses the chip from the name without a port list, fails on a port not in the list, finds the head itself', () => {
    expect(checkAdapter(base('darwin', '/dev/cu.wchusbserial1410')).seen).toContain('WCH CH34x');
    expect(checkAdapter(base('darwin', '/dev/cu.usbserial-XYZ', [macFtdi]))).toMatchObject({ status: 'fail', code: 'PORT_NOT_FOUND' });
    expect(checkAdapter(base('darwin', '', [macFtdi])).facts?.path).toBe('/dev/cu.usbserial-A10KZP45');
  });

  it('Windows: checks the COM name, finds it in the list and names the driver provider', () => {
    const com3 = {
      path: 'COM3',
      vendorId: '0403',
      productId: '6001',
      manufacturer: 'FTDI',
      opticalHead: true,
      headName: 'FTDI FT232R',
      kind: 'serial' as const,
      pnpId: 'FTDIBUS\\VID_0403+PID_6001+A10KZP45A\\0000',
    };
    const ok = checkAdapter(base('win32', 'COM3', [com3]));
    expect(ok).toMatchObject({ status: 'pass', facts: { path: 'COM3', driver: 'FTDI (FTDIBUS)' } });
    expect(checkAdapter(base('win32', '\\\\.\\COM3', [{ ...com3, driverProvider: 'FTDI' }])).facts?.driver).toBe('FTDI');
    const missing = checkAdapter(base('win32', 'COM9', [com3]));
    expect(missing).toMatchObject({ status: 'fail', code: 'PORT_NOT_FOUND' });
    expect(missing.seen).toContain('ports present: COM3');
    expect(checkAdapter(base('win32', '/dev/ttyUSB0'))).toMatchObject({ status: 'fail', code: 'PORT_NOT_FOUND' });
  });

  it('skips permission and conflicts off Linux: the open step tells', () => {
    for (const platform of ['win32', 'darwin']) {
      expect(checkPermission(base(platform, 'COM3')).status).toBe('skipped');
      expect(checkConflicts(base(platform, 'COM3')).status).toBe('skipped');
    }
  });

  it('skips all three for a network head and for the demo meter, with the reason', () => {
    for (const port of ['tcp://192.168.1.20:2000', 'virtual:e450']) {
      const checks = systemChecks({ ...base('linux', port) });
      expect(checks.map((c) => c.status)).toEqual(['skipped', 'skipped', 'skipped']);
      expect(checks[0]!.seen).toMatch(port.startsWith('tcp') ? /Network head \(tcp:\/\/192\.168\.1\.20:2000\)/ : /Demo meter/);
    }
  });
});
