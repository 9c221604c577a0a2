import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { HostFs } from '../../../electron/runtime/hostfs';
import { listLinuxSysfsPorts, listPorts, recogniseHead, sortPorts } from '../../../electron/features/ports/ports';
import { VIRTUAL_PORT_PATH } from '../../../electron/link/open';

/** A small sysfs + /dev tree shaped like a real kernel's, with relative links as sysfs has. */
function fakeSysfs(): string {
  const root = mkdtempSync(join(tmpdir(), 'omr-sysfs-'));
  const w = (p: string, text: string) => {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), `${text}\n`);
  };
  const ln = (link: string, target: string) => {
    mkdirSync(dirname(join(root, link)), { recursive: true });
    mkdirSync(join(root, target), { recursive: true });
    symlinkSync(relative(dirname(join(root, link)), join(root, target)), join(root, link));
  };
  // FTDI FT232R optical head on ttyUSB0.
  const ftdi = '/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2';
  w(`${ftdi}/idVendor`, '0403');
  w(`${ftdi}/idProduct`, '6001');
  w(`${ftdi}/manufacturer`, 'FTDI');
  w(`${ftdi}/product`, 'FT232R USB UART');
  w(`${ftdi}/serial`, 'A10KZP45');
  ln('/sys/class/tty/ttyUSB0', `${ftdi}/1-2:1.0/ttyUSB0/tty/ttyUSB0`);
  ln(`${ftdi}/1-2:1.0/ttyUSB0/tty/ttyUSB0/device`, `${ftdi}/1-2:1.0/ttyUSB0`);
  ln(`${ftdi}/1-2:1.0/ttyUSB0/driver`, '/sys/bus/usb-serial/drivers/ftdi_sio');
  ln('/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10KZP45-if00-port0', '/dev/ttyUSB0');
  // A CDC-ACM modem that is not a head (unknown VID:PID).
  const acm = '/sys/devices/pci0000:00/0000:00:14.0/usb1/1-3';
  w(`${acm}/idVendor`, '2341');
  w(`${acm}/idProduct`, '0043');
  w(`${acm}/manufacturer`, 'Arduino');
  ln('/sys/class/tty/ttyACM0', `${acm}/1-3:1.0/tty/ttyACM0`);
  ln(`${acm}/1-3:1.0/tty/ttyACM0/device`, `${acm}/1-3:1.0`);
  ln(`${acm}/1-3:1.0/driver`, '/sys/bus/usb/drivers/cdc_acm');
  // A legacy UART slot with no hardware (type 0) and a virtual console: both skipped.
  ln('/sys/class/tty/ttyS3', '/sys/devices/platform/serial8250/tty/ttyS3');
  ln('/sys/devices/platform/serial8250/tty/ttyS3/device', '/sys/devices/platform/serial8250');
  w('/sys/devices/platform/serial8250/tty/ttyS3/type', '0');
  ln('/sys/class/tty/tty1', '/sys/devices/virtual/tty/tty1');
  return root;
}

describe('port discovery', () => {
  it('recognises optical heads by chip and by maker', () => {
    expect(recogniseHead({ vendorId: '0403', productId: '6015' })).toBe('FTDI FT-X');
    expect(recogniseHead({ vendorId: '1A86', productId: '7523' })).toBe('WCH CH340');
    expect(recogniseHead({ manufacturer: 'Hichi', product: 'IR' })).toBe('Hichi IR head');
    expect(recogniseHead({ vendorId: '2341', productId: '0043', manufacturer: 'Arduino' })).toBeUndefined();
  });

  it('reads /sys/class/tty and /dev/serial/by-id without udev', () => {
    const ports = listLinuxSysfsPorts(new HostFs(fakeSysfs()));
    expect(ports.map((p) => p.path)).toEqual(['/dev/ttyACM0', '/dev/ttyUSB0']);
    const usb = ports.find((p) => p.path === '/dev/ttyUSB0')!;
    expect(usb).toMatchObject({
      vendorId: '0403',
      productId: '6001',
      manufacturer: 'FTDI',
      serialNumber: 'A10KZP45',
      driver: 'ftdi_sio',
      byId: '/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10KZP45-if00-port0',
      opticalHead: true,
      headName: 'FTDI FT232R',
    });
    expect(ports.find((p) => p.path === '/dev/ttyACM0')).toMatchObject({ driver: 'cdc_acm', opticalHead: false, vendorId: '2341' });
  });

  it('does not call serialport when udevadm is missing (it would spawn it) and falls back to sysfs', async () => {
    const serialportList = vi.fn(async () => []);
    const r = await listPorts({ serialportList, hasUdevadm: () => false, fs: new HostFs(fakeSysfs()), platform: 'linux' });
    expect(serialportList).not.toHaveBeenCalled();
    expect(r.method).toBe('sysfs');
    expect(r.fallbackReason).toMatch(/udevadm/);
    // Heads first, then the demo meter, then other ports.
    expect(r.ports.map((p) => p.path)).toEqual(['/dev/ttyUSB0', VIRTUAL_PORT_PATH, '/dev/ttyACM0']);
  });

  it('falls back to sysfs when serialport list() rejects', async () => {
    const r = await listPorts({
      serialportList: () => Promise.reject(new Error('spawn udevadm ENOENT')),
      hasUdevadm: () => true,
      fs: new HostFs(fakeSysfs()),
      platform: 'linux',
    });
    expect(r.method).toBe('sysfs');
    expect(r.fallbackReason).toContain('ENOENT');
    expect(r.ports.some((p) => p.path === '/dev/ttyUSB0' && p.opticalHead)).toBe(true);
  });

  it('enriches serialport results with sysfs facts and keeps ports only one of them saw', async () => {
    const r = await listPorts({
      serialportList: async () => [
        { path: '/dev/ttyUSB0', manufacturer: 'FTDI', vendorId: '0403', productId: '6001', serialNumber: 'A10KZP45' },
        { path: '/dev/ttyUSB7' },
      ],
      hasUdevadm: () => true,
      fs: new HostFs(fakeSysfs()),
      platform: 'linux',
    });
    expect(r.method).toBe('serialport+sysfs');
    expect(r.ports.find((p) => p.path === '/dev/ttyUSB0')).toMatchObject({ driver: 'ftdi_sio', opticalHead: true, byId: expect.stringContaining('by-id') });
    expect(r.ports.map((p) => p.path).sort()).toEqual(['/dev/ttyACM0', '/dev/ttyUSB0', '/dev/ttyUSB7', VIRTUAL_PORT_PATH].sort());
  });

  it('uses serialport alone on Windows and macOS, and still offers the demo meter when it fails', async () => {
    const win = await listPorts({
      serialportList: async () => [{ path: 'COM3', vendorId: '10C4', productId: 'EA60', manufacturer: 'Silicon Labs' }],
      platform: 'win32',
    });
    expect(win.ports[0]).toMatchObject({ path: 'COM3', opticalHead: true, vendorId: '10c4' });
    const mac = await listPorts({ serialportList: () => Promise.reject(new Error('IOKit')), platform: 'darwin' });
    expect(mac.ports.map((p) => p.path)).toEqual([VIRTUAL_PORT_PATH]);
    expect(mac.fallbackReason).toMatch(/IOKit/);
  });

  it('sorts heads first, then the demo meter, then others, by natural path order', () => {
    const sorted = sortPorts([
      { path: '/dev/ttyUSB10', opticalHead: true, kind: 'serial' },
      { path: '/dev/ttyS0', opticalHead: false, kind: 'serial' },
      { path: VIRTUAL_PORT_PATH, opticalHead: false, kind: 'virtual' },
      { path: '/dev/ttyUSB2', opticalHead: true, kind: 'serial' },
    ]);
    expect(sorted.map((p) => p.path)).toEqual(['/dev/ttyUSB2', '/dev/ttyUSB10', VIRTUAL_PORT_PATH, '/dev/ttyS0']);
  });
});
