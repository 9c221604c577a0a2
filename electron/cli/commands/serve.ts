/**
 * `omr serve`: the meter station. The services without Electron, the same renderer build over
 * HTTP with the contract carried over a WebSocket, a small JSON API for scripts, and optional MQTT
 * publishing (Home Assistant discovery). Runs until Ctrl-C / SIGTERM.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MonitorPlanSchema } from '../../../shared/monitor';
import { createAppServices } from '../../app/app';
import { JsonFileSettingsStore } from '../../features/settings/settings';
import { hasExecutable, serialportList } from '../../link/serial';
import { MqttPublisher, type MqttOptions } from '../../features/station/mqtt';
import { isLoopback, loadOrCreateToken, parseListen } from '../../features/station/security';
import { startStation } from '../../features/station/server';
import { EXIT, parse, printError, UsageError, type CliIo, faultsFrom, targetFrom } from '../options';

import { toErrorInfo } from '../../../shared/errors';
import { customerPortFrom, CUSTOMER_PORT_OPTIONS, CUSTOMER_PORT_USAGE, startCustomerPort } from './serve-listen';

export const SERVE_USAGE = `Usage: omr serve [--listen 127.0.0.1:8450] [--port PATH | --tcp HOST:PORT | --simulator] [options]

  --listen HOST:PORT   where to listen (default 127.0.0.1:8450; any other address needs the token)
  --port PATH          the station's meter: serial port of the optical head
  --tcp HOST:PORT      … or a network head
  --simulator          … or the built-in virtual E450
  --data-dir DIR       settings, sessions, exports and the token (default OMR_DATA_DIR or ~/.optical-meter-reader)
  --poll SECONDS       start monitoring the meter at once, one poll every SECONDS
  --plan PLAN          what a poll reads: instantaneous (default) or registers
  --protocol P         readout (default) or dlms
  --require-token      require the token on loopback too
  --new-token          make a new token (shown once) and forget the old one
  --allow-origin URL   a further page origin allowed to connect (a reverse proxy), repeatable
  --renderer DIR       the renderer build to serve (default: the one next to this program)

 MQTT (Home Assistant):
  --mqtt URL           publish to this broker: mqtt://host:1883 or mqtts://host:8883
  --mqtt-user NAME     broker user name
  --mqtt-password PW   broker password (or OMR_MQTT_PASSWORD)
  --mqtt-ca FILE       TLS: the CA certificate (PEM) of the broker
  --mqtt-insecure      TLS: do not check the broker's certificate
  --mqtt-id ID         device id and topic segment (default omr_<hostname>)
  --mqtt-topic BASE    base topic (default omr)
  --mqtt-discovery-prefix P  Home Assistant discovery prefix (default homeassistant)
  --no-discovery       no Home Assistant discovery messages

  --no-pace            simulator only: answer at once
  --fault NAME         simulator only: inject a fault
${CUSTOMER_PORT_USAGE}`;

/**
 * The installed package's root: the folder above this file whose package.json is ours. The build
 * may put this code in a chunk folder under out/main/, so the walk does not assume a depth.
 */
function packageRoot(): { dir: string; version: string } | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'optical-meter-reader') return { dir, version: pkg.version ?? '0.0.0' };
      } catch {
        // keep looking
      }
    }
    dir = dirname(dir);
  }
  return undefined;
}

function rendererDir(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  const root = packageRoot()?.dir;
  const candidates = explicit ? [resolve(explicit)] : [env.OMR_RENDERER_DIR, root ? join(root, 'out/renderer') : undefined].filter((x): x is string => !!x);
  const found = candidates.find((d) => existsSync(join(d, 'index.html')));
  if (!found)
    throw new UsageError(`the renderer build is missing (looked in ${candidates.join(', ')}): run npm run build, or pass --renderer DIR\n\n${SERVE_USAGE}`);
  return found;
}

function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((r) => {
    if (!signal) return;
    if (signal.aborted) return r();
    signal.addEventListener('abort', () => r(), { once: true });
  });
}

export async function serveCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(
    args,
    {
      listen: { type: 'string' },
      port: { type: 'string' },
      tcp: { type: 'string' },
      simulator: { type: 'boolean' },
      'data-dir': { type: 'string' },
      poll: { type: 'string' },
      plan: { type: 'string' },
      protocol: { type: 'string' },
      'require-token': { type: 'boolean' },
      'new-token': { type: 'boolean' },
      'allow-origin': { type: 'string', multiple: true },
      renderer: { type: 'string' },
      mqtt: { type: 'string' },
      'mqtt-user': { type: 'string' },
      'mqtt-password': { type: 'string' },
      'mqtt-ca': { type: 'string' },
      'mqtt-insecure': { type: 'boolean' },
      'mqtt-id': { type: 'string' },
      'mqtt-topic': { type: 'string' },
      'mqtt-discovery-prefix': { type: 'string' },
      'no-discovery': { type: 'boolean' },
      'no-pace': { type: 'boolean' },
      fault: { type: 'string', multiple: true },
      ...CUSTOMER_PORT_OPTIONS,
      help: { type: 'boolean', short: 'h' },
    },
    SERVE_USAGE,
  );
  if (values.help) {
    io.stdout.write(SERVE_USAGE);
    return EXIT.ok;
  }
  const listen = parseListen(values.listen ?? '127.0.0.1:8450');
  if (!listen) throw new UsageError(`--listen wants HOST:PORT, got '${values.listen}'\n\n${SERVE_USAGE}`);
  const anyTarget = values.port !== undefined || values.tcp !== undefined || !!values.simulator;
  const target = anyTarget ? targetFrom(values, SERVE_USAGE) : undefined;
  const faults = faultsFrom(values.fault, SERVE_USAGE);
  const pollS = values.poll !== undefined ? Number(values.poll) : undefined;
  if (pollS !== undefined && !(pollS >= 2 && pollS <= 3600))
    throw new UsageError(`--poll wants seconds from 2 to 3600, got '${values.poll}'\n\n${SERVE_USAGE}`);
  if (pollS !== undefined && !target) throw new UsageError(`--poll needs the meter: --port, --tcp or --simulator\n\n${SERVE_USAGE}`);
  const plan = values.plan !== undefined ? MonitorPlanSchema.safeParse(values.plan) : undefined;
  if (plan && !plan.success) throw new UsageError(`--plan wants instantaneous or registers\n\n${SERVE_USAGE}`);
  if (values.protocol !== undefined && !['readout', 'dlms'].includes(values.protocol))
    throw new UsageError(`--protocol wants readout or dlms\n\n${SERVE_USAGE}`);
  for (const origin of values['allow-origin'] ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw new UsageError(`--allow-origin wants an origin like https://meter.example.org, got '${origin}'\n\n${SERVE_USAGE}`);
  }
  let mqtt: MqttOptions | undefined;
  if (values.mqtt !== undefined) {
    if (!/^(mqtts?|tcp|ssl|wss?):\/\/[^\s]+$/.test(values.mqtt))
      throw new UsageError(`--mqtt wants mqtt://host:port or mqtts://host:port, got '${values.mqtt}'\n\n${SERVE_USAGE}`);
    const password = values['mqtt-password'] ?? io.env.OMR_MQTT_PASSWORD;
    mqtt = {
      url: values.mqtt,
      ...(values['mqtt-user'] !== undefined ? { username: values['mqtt-user'] } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(values['mqtt-ca'] !== undefined ? { ca: readFileSync(values['mqtt-ca']) } : {}),
      ...(values['mqtt-insecure'] ? { rejectUnauthorized: false } : {}),
      ...(values['mqtt-id'] !== undefined ? { deviceId: values['mqtt-id'] } : {}),
      ...(values['mqtt-topic'] !== undefined ? { baseTopic: values['mqtt-topic'] } : {}),
      ...(values['mqtt-discovery-prefix'] !== undefined ? { discoveryPrefix: values['mqtt-discovery-prefix'] } : {}),
      ...(values['no-discovery'] ? { discovery: false } : {}),
    };
  } else if (Object.keys(values).some((k) => k.startsWith('mqtt-') || k === 'no-discovery')) {
    throw new UsageError(`the --mqtt-… options need --mqtt URL\n\n${SERVE_USAGE}`);
  }

  const customerPort = customerPortFrom(values, SERVE_USAGE);
  if (customerPort && target && customerPort.target === target) throw new UsageError(`the customer port and the meter's port must differ\n\n${SERVE_USAGE}`);

  const renderer = rendererDir(values.renderer, io.env);
  const dataDir = resolve(values['data-dir'] ?? io.env.OMR_DATA_DIR ?? join(homedir(), '.optical-meter-reader'));
  const version = packageRoot()?.version ?? '0.0.0';
  const log = (line: string) => io.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const token = loadOrCreateToken(dataDir, { renew: !!values['new-token'] });

  const services = createAppServices({
    dataDir,
    settingsStore: new JsonFileSettingsStore(join(dataDir, 'settings.json')),
    appInfo: { name: 'Optical Meter Reader (station)', version, platform: process.platform, node: process.versions.node },
    serialportList,
    hasUdevadm: () => hasExecutable('udevadm'),
    ...(io.env.LANG ? { locale: io.env.LANG.replace('_', '-') } : {}),
    portWatchMs: 2000,
    targets: { virtualMeter: { pace: !values['no-pace'], faults }, ...(customerPort?.p1Meter ? { p1Meter: customerPort.p1Meter } : {}) },
    onInternalError: (channel, e) => log(`[${channel}] ${e instanceof Error ? e.message : String(e)}`),
  });
  // The browser's port step starts on the station's meter.
  if (target) services.settings.set({ lastPort: target });

  const station = await startStation({
    services,
    dataDir,
    rendererDir: renderer,
    host: listen.host,
    port: listen.port,
    tokenHash: token.hash,
    requireToken: !!values['require-token'],
    ...(values['allow-origin'] ? { allowedOrigins: values['allow-origin'] } : {}),
    ...(target ? { target } : {}),
    ...(pollS !== undefined ? { defaultIntervalS: pollS } : {}),
    version,
    log,
  });
  const publisher = mqtt ? new MqttPublisher(mqtt, { events: services.events, sessions: services.sessions, version, log }) : undefined;
  const listening = customerPort ? startCustomerPort(services, customerPort, io) : undefined;
  if (publisher || listening)
    station.setExtraStatus(() => ({ ...(publisher ? { mqtt: publisher.status() } : {}), ...(listening ? { listen: listening.status() } : {}) }));

  io.stdout.write(`Meter station on ${station.url}${target ? ` — meter: ${target}` : ''}\n`);
  io.stdout.write(`Data folder: ${dataDir}\n`);
  if (token.fresh) {
    io.stdout.write(`Station token (shown once, keep it): ${token.fresh}\n`);
    io.stdout.write(`  browser: ${station.url}?token=${token.fresh}\n  scripts: curl -H 'Authorization: Bearer ${token.fresh}' ${station.url}api/status\n`);
  }
  if (station.tokenRequired)
    io.stdout.write(`The token is required${isLoopback(listen.host) ? '' : ` (listening on ${listen.host})`}; 'omr serve --new-token' makes a new one.\n`);
  if (publisher) io.stdout.write(`MQTT: ${publisher.status().broker} as ${publisher.deviceId}\n`);

  if (pollS !== undefined && target) {
    const started = await services.dispatcher.dispatch(
      'monitor:start',
      {
        target,
        intervalS: pollS,
        ...(plan?.success ? { plan: plan.data } : {}),
        ...(values.protocol ? { protocol: values.protocol } : {}),
        ...(faults.length ? { simFaults: faults } : {}),
        name: `Station ${target}`,
      },
      { client: 'station' },
    );
    if (started.ok) io.stdout.write(`Monitoring ${target} every ${pollS} s (session ${(started.value as { sessionId: string }).sessionId})\n`);
    else printError(io, started.error);
  }

  await listening?.started;
  await waitForStop(io.signal);
  io.stdout.write('Stopping…\n');
  try {
    // Monitors first: their journals are complete before the station goes.
    listening?.close();
    await services.dispose();
    await publisher?.close();
    await station.close();
  } catch (e) {
    printError(io, toErrorInfo(e));
    return EXIT.failed;
  }
  return EXIT.ok;
}
