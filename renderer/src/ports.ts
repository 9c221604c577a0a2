import type { PortInfo } from '../../shared/types';

/** Optical heads first, then the other serial ports, the demo meter last. */
export function sortPorts(ports: PortInfo[]): PortInfo[] {
  const rank = (p: PortInfo) => (p.kind === 'virtual' ? 2 : p.opticalHead ? 0 : 1);
  return [...ports].sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
}
