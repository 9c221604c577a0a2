/**
 * `omr monitor` in-process (runCli with a fake terminal) against the simulator: --duration with
 * the --json lines and summary, --csv, Ctrl-C through the AbortSignal keeping everything
 * recorded, a silent meter (exit 1 with the typed error), and usage errors.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/run';
import { SessionStore } from '../../electron/features/sessions/journal';

function io(env: Record<string, string>, signal?: AbortSignal) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = { stdout: '', stderr: '' };
  stdout.on('data', (c) => (out.stdout += c));
  stderr.on('data', (c) => (out.stderr += c));
  return { io: { stdout, stderr, env, ...(signal ? { signal } : {}) }, out };
}

describe('omr monitor', () => {
  it('polls for --duration, one JSON line per poll, the summary at the end, CSV files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-mon-'));
    const { io: i, out } = io({ OMR_DATA_DIR: dir });
    const code = await runCli(
      [
        'monitor',
        '--simulator',
        '--no-pace',
        '--baud-switch-delay',
        '0',
        '--interval',
        '0.5',
        '--duration',
        '2.5',
        '--json',
        '--csv',
        join(dir, 'polls.csv'),
        '--rules',
        '{"voltage":{"tolerancePct":0.5}}',
      ],
      i,
    );
    expect(code).toBe(0);
    const lines = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const polls = lines.filter((l) => 'poll' in l);
    const anomalies = lines.filter((l) => 'anomaly' in l);
    const last = lines.at(-1);
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls.every((p) => p.ok && /^\d{3}\.\d$/.test(p.values.U1))).toBe(true);
    // 230 V ± 0.5 %: the demo meter's 226–234 V crosses it.
    expect(anomalies.length).toBeGreaterThan(0);
    expect(last.summary).toMatchObject({
      running: false,
      health: 'stopped',
      polls: polls.length,
      succeeded: polls.length,
      failed: 0,
      anomalies: anomalies.length,
    });
    expect(last.summary.meanReactionMs).toBeGreaterThan(0);
    // Everything is in the session journal.
    const session = new SessionStore(join(dir, 'sessions')).load(last.sessionId);
    expect(session.state).toBe('done');
    expect(session.polls!.length).toBe(polls.length);
    expect(session.anomalies!.length).toBe(anomalies.length);
    const csv = readFileSync(join(dir, 'polls.csv'), 'utf8').split('\r\n');
    expect(csv[0]).toMatch(/^\ufeffPC time,OK,Reaction \(ms\),Poll time \(ms\),Voltage L1 \(V\),/);
    expect(csv.length).toBe(polls.length + 2);
    const an = readFileSync(join(dir, 'polls-anomalies.csv'), 'utf8').split('\r\n');
    expect(an[0]).toBe('\ufeffTime,Rule,Channel,Measured value,Threshold,Side,Unit');
    expect(an.length).toBe(anomalies.length + 2);
  });

  it('Ctrl-C stops cleanly, prints the statistics and keeps everything recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-mon-'));
    const ctrlC = new AbortController();
    const { io: i, out } = io({ OMR_DATA_DIR: dir }, ctrlC.signal);
    const running = runCli(['monitor', '--simulator', '--no-pace', '--baud-switch-delay', '0', '--interval', '0.5'], i);
    await expect.poll(() => (out.stdout.match(/^# +\d+ .* ok /gm) ?? []).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    ctrlC.abort();
    expect(await running).toBe(0);
    expect(out.stdout).toMatch(/^# +1 \S+ ok \d+ ms {2}U1=\d{3}\.\d U2=/m);
    expect(out.stdout).toMatch(
      /\nSession (\S+)\nPolls: (\d+) \(\2 ok, 0 failed, 100 %\), reconnects: 0, anomalies: 0\nReaction: mean \d+ ms, worst \d+ ms\nLast success: \S+\n$/,
    );
    const [, id, count] = /\nSession (\S+)\nPolls: (\d+)/.exec(out.stdout)!;
    const session = new SessionStore(join(dir, 'sessions')).load(id!);
    expect(session.state).toBe('done');
    expect(session.polls!.length).toBe(Number(count));
  });

  it('a silent meter: failed polls, exit 1 with the typed error and its remedy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'omr-mon-'));
    const { io: i, out } = io({ OMR_DATA_DIR: dir });
    const code = await runCli(
      ['monitor', '--simulator', '--no-pace', '--baud-switch-delay', '0', '--fault', 'silence', '--interval', '1', '--duration', '3'],
      i,
    );
    expect(code).toBe(1);
    expect(out.stdout).toMatch(/^# +1 \S+ FAIL NO_ECHO_NO_ANSWER: /m);
    expect(out.stdout).toMatch(/Polls: \d+ \(0 ok, \d+ failed, 0 %\)/);
    expect(out.stderr).toMatch(/omr: NO_ECHO_NO_ANSWER: .*\n {2}→ .+\n$/);
  });

  it('usage errors exit 2', async () => {
    for (const args of [
      ['monitor', '--simulator'],
      ['monitor', '--simulator', '--interval', '0.1'],
      ['monitor', '--interval', '5'],
      ['monitor', '--simulator', '--interval', '5', '--rules', '{"current":{"maxA":"x"}}'],
      ['monitor', '--simulator', '--interval', '5', '--plan', 'everything'],
      ['monitor', '--simulator', '--interval', '5', '--baud-switch-delay', 'soon'],
    ]) {
      const { io: i, out } = io({ OMR_DATA_DIR: mkdtempSync(join(tmpdir(), 'omr-mon-')) });
      expect(await runCli(args, i), args.join(' ')).toBe(2);
      expect(out.stderr).toMatch(/Usage: omr monitor/);
    }
  });
});
