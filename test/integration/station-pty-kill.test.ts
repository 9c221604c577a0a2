/**
 * `omr simulate --pty` killed with SIGKILL mid-read: its socat goes with it (no pty pair left
 * behind), and the reader on the other end of the pty hears the line go (LINK_LOST) instead of
 * waiting out a reaction timeout; what it had received is kept.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runIec, iecOptions } from '../../electron/features/read/iec';
import { Targets } from '../../electron/features/ports/targets';
import { DEFAULT_SETTINGS } from '../../shared/settings';
import { startOmr } from './omr-child';

/** Pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

describe.skipIf(process.platform !== 'linux')('omr simulate --pty killed with SIGKILL', () => {
  it('takes its socat with it, and the reader gets LINK_LOST with what it had', async () => {
    const sim = startOmr(['simulate', '--pty', '--pace']);
    const hostPath = (await sim.waitFor(/read it on (\S+)/))[1]!;
    const helpers = childrenOf(sim.child.pid!).flatMap((p) => [p, ...childrenOf(p)]);
    const socat = helpers.filter((p) => readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('socat'));
    expect(socat).toHaveLength(1);

    const opened = await new Targets().open(hostPath);
    let identity = false;
    let killedAt = 0;
    const run = runIec(opened.link, iecOptions(DEFAULT_SETTINGS, { purpose: 'readout' }), {
      onIdentity: () => {
        identity = true;
        // Mid-read: the identification is in, the data message is on its way.
        setTimeout(() => {
          killedAt = Date.now();
          void sim.kill('SIGKILL');
        }, 300);
      },
    });
    const result = await run;
    const heardAfter = Date.now() - killedAt;
    await opened.close().catch(() => undefined);
    console.log(`reader ended ${heardAfter} ms after the kill with ${result.error?.code}; ${result.readings.length} readings kept`);
    expect(identity).toBe(true);
    expect(result.identity).toBeDefined();
    expect(result.error?.code).toBe('LINK_LOST');
    // Well before the 8 s reaction timeout the reader used to wait for (10–30 ms on a quiet machine;
    // seconds on a loaded one, where the pty's end is noticed later).
    expect(heardAfter).toBeLessThan(6000);
    // socat ended with its parent.
    const deadline = Date.now() + 3000;
    while (socat.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(socat.filter(alive)).toEqual([]);
  });
});
