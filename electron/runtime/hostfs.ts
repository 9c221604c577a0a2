/**
 * The one small module through which the Linux checks read /sys, /proc and /dev. Its root folder
 * is a parameter, so tests run port discovery and the connection doctor against fixture trees.
 * Every read is forgiving: a missing file is `undefined`, never an exception.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface FileStat {
  uid: number;
  gid: number;
  mode: number;
  isCharacterDevice: boolean;
}

export class HostFs {
  constructor(readonly root: string = '/') {}

  /** The real location of a host path (`/sys/class/tty` → `<root>/sys/class/tty`). */
  real(hostPath: string): string {
    return this.root === '/' ? hostPath : join(this.root, hostPath);
  }

  /** Back from a real location to the host path. */
  host(realPath: string): string {
    if (this.root === '/') return realPath;
    const rel = realPath.startsWith(this.root) ? realPath.slice(this.root.length) : realPath;
    return rel.startsWith('/') ? rel : `/${rel}`;
  }

  exists(hostPath: string): boolean {
    return existsSync(this.real(hostPath));
  }

  readText(hostPath: string): string | undefined {
    try {
      return readFileSync(this.real(hostPath), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** First line, trimmed (sysfs attributes end with a newline). */
  readAttr(hostPath: string): string | undefined {
    const t = this.readText(hostPath);
    return t === undefined ? undefined : t.split('\n')[0]!.trim();
  }

  readDir(hostPath: string): string[] {
    try {
      return readdirSync(this.real(hostPath)).sort();
    } catch {
      return [];
    }
  }

  readLink(hostPath: string): string | undefined {
    try {
      return readlinkSync(this.real(hostPath));
    } catch {
      return undefined;
    }
  }

  /** Resolve links; the answer is a host path. Links inside fixtures are relative, as in sysfs. */
  realPath(hostPath: string): string | undefined {
    try {
      return this.host(realpathSync(this.real(hostPath)));
    } catch {
      return undefined;
    }
  }

  /** Resolve one relative link target against the link's folder (host path). */
  resolveLink(hostPath: string): string | undefined {
    const target = this.readLink(hostPath);
    if (target === undefined) return undefined;
    return target.startsWith('/') ? target : posix.normalize(posix.join(posix.dirname(hostPath), target));
  }

  /**
   * Whether this process may read and write the file, as the kernel decides it (access(2): owner,
   * groups of this process and ACLs such as udev's `uaccess`). Nothing is opened. Only meaningful on
   * the real host: under another root the answer would be about the fixture file, so it is
   * `undefined` (unknown) there.
   */
  canReadWrite(hostPath: string): boolean | undefined {
    if (this.root !== '/') return undefined;
    try {
      accessSync(hostPath, constants.R_OK | constants.W_OK);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? false : undefined;
    }
  }

  stat(hostPath: string): FileStat | undefined {
    try {
      const s = statSync(this.real(hostPath));
      return { uid: s.uid, gid: s.gid, mode: s.mode, isCharacterDevice: s.isCharacterDevice() };
    } catch {
      return undefined;
    }
  }
}
