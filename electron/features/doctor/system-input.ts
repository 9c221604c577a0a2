/**
 * What the doctor's system checks are given (a {@link HostFs} rooted at `/` or at a fixture tree,
 * the user, the platform, the port path), who runs them, and what they share: the kind of target
 * and the reason the checks do not apply to a network head or the demo meter.
 */
import { userInfo } from 'node:os';
import type { Lang } from '../../../shared/errors';
import { both } from '../../../shared/i18n';
import type { PortInfo } from '../../../shared/types';
import { HostFs } from '../../runtime/hostfs';
import { parsePort } from '../../link/open';
import { readPasswd, readProcStatus, vidPid, type UsbDevice } from './linux';
import { makeCheck, type Check, type CheckId } from '../../../shared/doctor';

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
export function notLocal(id: CheckId, input: SystemInput): Check | undefined {
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

export function describeUsb(u: UsbDevice, head?: string): string {
  const what = head ?? u.product ?? 'USB serial adapter';
  const extra = [vidPid(u), u.manufacturer, u.serial ? `S/N ${u.serial}` : undefined].filter(Boolean).join(', ');
  return `${what} (${extra})`;
}

export function platformName(p: string): string {
  return p === 'win32' ? 'Windows' : p === 'darwin' ? 'macOS' : p;
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
