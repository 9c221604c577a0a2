/**
 * `omr ports`: serial ports, optical heads first, and the demo meter.
 */
import { HostFs } from '../../runtime/hostfs';
import { listPorts } from '../../features/ports/ports';
import { hasExecutable, serialportList } from '../../link/serial';
import { EXIT, parse, type Command } from '../options';

const PORTS_USAGE = 'Usage: omr ports [--json]\n';
export const portsCommand: Command = async (args, io) => {
  const { values } = parse(args, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, PORTS_USAGE);
  if (values.help) {
    io.stdout.write(PORTS_USAGE);
    return EXIT.ok;
  }
  const result = await listPorts({ serialportList, hasUdevadm: () => hasExecutable('udevadm'), fs: new HostFs('/') });
  if (values.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const p of result.ports) {
    const tags = [p.opticalHead ? 'optical head' : undefined, p.kind === 'virtual' ? 'demo meter' : undefined].filter(Boolean).join(', ');
    const meta = [p.headName, p.manufacturer, p.vendorId && p.productId ? `${p.vendorId}:${p.productId}` : undefined, p.serialNumber, p.driver]
      .filter(Boolean)
      .join('  ');
    io.stdout.write(`${p.path.padEnd(24)} ${tags ? `[${tags}] ` : ''}${meta}\n`);
  }
  if (result.fallbackReason) io.stderr.write(`(listed from ${result.method}: ${result.fallbackReason})\n`);
  return EXIT.ok;
};
