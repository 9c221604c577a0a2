/**
 * The one place that turns what a technician typed or picked as a port into a Link:
 * a serial path (`COM3`, `/dev/ttyUSB0`), a network head (`tcp://host:port`, raw TCP), a serial
 * server that lets the line be changed (`rfc2217://host:port`, telnet COM-PORT-OPTION), or a virtual
 * meter (`virtual:NAME`, opened by the factory the caller passes: the link layer does not know
 * the simulator).
 */
import { OmrError } from '../../shared/errors';
import { SerialLink } from './serial';
import { Rfc2217Link } from './rfc2217';
import { TcpLink } from './tcp';
import type { Link } from './types';

/** The demo meter's port name, as listed with the ports and accepted everywhere a port is. */
export const VIRTUAL_PORT_PATH = 'virtual:e450';

export type PortSpec =
  | { kind: 'serial'; path: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'rfc2217'; host: string; port: number }
  | { kind: 'virtual'; name: string };

/**
 * Parse a port string. `tcp://` and `rfc2217://` need a host and a port from 1 to 65535 (IPv6
 * in brackets); anything else that is not `virtual:` is a serial path. Throws INVALID_REQUEST
 * for a malformed network address, so a typo is never taken for a serial device name.
 */
export function parsePort(text: string): PortSpec {
  if (/^virtual:/i.test(text)) return { kind: 'virtual', name: text.slice('virtual:'.length) };
  const scheme = /^(tcp|rfc2217):/i.exec(text)?.[1]?.toLowerCase() as 'tcp' | 'rfc2217' | undefined;
  if (scheme) {
    const m = /^[a-z0-9]+:\/\/(\[[^\]]+\]|[^:/\s]+):(\d{1,5})\/?$/i.exec(text);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) throw new OmrError('INVALID_REQUEST', `not a ${scheme}://host:port address: ${text}`);
    return { kind: scheme, host: m[1]!.replace(/^\[|\]$/g, ''), port };
  }
  return { kind: 'serial', path: text };
}

/** `HOST:PORT` as the command line takes it, in the port string form. */
export function tcpPortString(hostPort: string): string | undefined {
  if (!/^[^:\s]+:\d{1,5}$/.test(hostPort) && !/^\[[^\]]+\]:\d{1,5}$/.test(hostPort)) return undefined;
  const text = `tcp://${hostPort}`;
  try {
    parsePort(text);
    return text;
  } catch {
    return undefined;
  }
}

export interface OpenedLink {
  link: Link;
  close(): Promise<void>;
}

export interface OpenLinkOptions {
  /** Opens a virtual meter's link; without it a `virtual:` port is PORT_NOT_FOUND. */
  virtual?: (name: string) => Promise<OpenedLink> | OpenedLink;
}

export async function openLink(text: string, options: OpenLinkOptions = {}): Promise<OpenedLink> {
  const spec = parsePort(text);
  switch (spec.kind) {
    case 'virtual':
      if (!options.virtual) throw new OmrError('PORT_NOT_FOUND', `${text}: no virtual meter here`);
      return options.virtual(spec.name);
    case 'tcp': {
      const link = await TcpLink.connect(spec.host, spec.port);
      return { link, close: () => link.close() };
    }
    case 'rfc2217': {
      const link = await Rfc2217Link.connect(spec.host, spec.port);
      return { link, close: () => link.close() };
    }
    case 'serial': {
      const link = await SerialLink.open(spec.path);
      return { link, close: () => link.close() };
    }
  }
}
