import { z } from 'zod';
import { MonitorRulesSchema } from './monitor';

/** CSV dialects: comma + dot (international), semicolon + decimal comma (French Excel). */
export const CsvDialectSchema = z.enum(['auto', 'comma-dot', 'semicolon-comma']);
export type CsvDialect = z.infer<typeof CsvDialectSchema>;

export const MeterProfileSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(100),
  protocol: z.enum(['readout', 'dlms']),
  clientSap: z.number().int().min(1).max(127).default(16),
  serverLogical: z.number().int().min(0).max(16383).default(1),
  serverPhysical: z.number().int().min(0).max(16383).default(17),
  auth: z.enum(['none', 'lls', 'hls-gmac']).default('none'),
  /**
   * HLS-GMAC: the object holding this client's invocation counter, read with the public client
   * (`0-0:43.1.0`); absent = 0-0:43.1.<client SAP> and 0-0:43.1.0 are tried.
   */
  counterObis: z
    .string()
    .max(32)
    .regex(/^\d{1,3}-\d{1,3}:\d{1,3}\.\d{1,3}\.\d{1,3}(\*\d{1,3})?$/, 'an OBIS code such as 0-0:43.1.0')
    .optional(),
  /** True when a secret for this profile is kept in safeStorage (never the secret itself). */
  hasStoredSecret: z.boolean().default(false),
});
export type MeterProfile = z.infer<typeof MeterProfileSchema>;

/**
 * The client an IDIS meter (the E450 among them) gives each security level: the public client
 * reads without security, the reading client with a password (LLS), the management client with
 * keys (HLS).
 */
export const CLIENT_SAP_FOR: Readonly<Record<MeterProfile['auth'], number>> = { none: 16, lls: 32, 'hls-gmac': 1 };

/** The profiles of a fresh installation: the three clients a Landis+Gyr E450 has. */
export const E450_PROFILES: readonly MeterProfile[] = [
  {
    id: 'e450-public',
    name: 'E450 public client',
    protocol: 'dlms',
    clientSap: 16,
    serverLogical: 1,
    serverPhysical: 17,
    auth: 'none',
    hasStoredSecret: false,
  },
  {
    id: 'e450-reading',
    name: 'E450 reading client (password)',
    protocol: 'dlms',
    clientSap: 32,
    serverLogical: 1,
    serverPhysical: 17,
    auth: 'lls',
    hasStoredSecret: false,
  },
  {
    id: 'e450-management',
    name: 'E450 management client (HLS)',
    protocol: 'dlms',
    clientSap: 1,
    serverLogical: 1,
    serverPhysical: 17,
    auth: 'hls-gmac',
    hasStoredSecret: false,
  },
];

export const WindowBoundsSchema = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(400).max(10000),
  height: z.number().int().min(300).max(10000),
  maximized: z.boolean().default(false),
});

export const SettingsSchema = z.object({
  language: z.enum(['auto', 'en', 'fr']).default('auto'),
  csvDialect: CsvDialectSchema.default('auto'),
  /** Longest wait for the first byte of an answer (IEC 62056-21 allows 1500 ms). */
  reactionTimeoutMs: z.number().int().min(100).max(60000).default(1500),
  /** Longest gap between two characters inside a message (IEC 62056-21: 1500 ms). */
  interCharTimeoutMs: z.number().int().min(50).max(60000).default(1500),
  /** Pause between the option select and the baud change; some heads need 300–400 ms. */
  baudSwitchDelayMs: z.number().int().min(0).max(5000).default(300),
  /**
   * IEC 62056-21 timing per meter family, keyed by the manufacturer flag of the identification
   * (`LGZ`): applied once the meter has named itself, over the three figures above.
   */
  timings: z
    .record(
      z.string().regex(/^[A-Za-z]{3}$/, 'a three-letter manufacturer flag such as LGZ'),
      z
        .object({
          reactionMinMs: z.number().int().min(0).max(1500).optional(),
          reducedReactionMs: z.number().int().min(0).max(1500).optional(),
          reactionMaxMs: z.number().int().min(100).max(60000).optional(),
          interCharMaxMs: z.number().int().min(50).max(60000).optional(),
          baudSwitchMs: z.number().int().min(0).max(5000).optional(),
        })
        .strict(),
    )
    .optional(),
  /** Highest baud rate the tool will propose (the meter may offer more). */
  maxBaud: z.number().int().min(300).max(115200).default(19200),
  /** Smart probes do the handshake themselves: talk at a fixed speed, no baud switch. */
  fixedBaud: z.boolean().default(false),
  lastPort: z.string().max(512).optional(),
  window: WindowBoundsSchema.optional(),
  profiles: z
    .array(MeterProfileSchema)
    .max(100)
    .default(() => E450_PROFILES.map((p) => ({ ...p }))),
  /** Monitoring mode: the anomaly rules (the defaults of shared/monitor.ts when absent). */
  monitor: MonitorRulesSchema.optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;

type WithoutDefaults<T extends z.ZodRawShape> = { [K in keyof T]: T[K] extends z.ZodDefault<infer I> ? I : T[K] };

/**
 * A partial update: every field optional, validated the same way. The fields' defaults are taken
 * off first: zod 4 fills a default in even under `.partial()`, so a patch of one field would
 * otherwise reset every other one (language, timings, profiles) to its default.
 */
export const SettingsPatchSchema = z
  .object(
    Object.fromEntries(Object.entries(SettingsSchema.shape).map(([k, v]) => [k, v instanceof z.ZodDefault ? (v.unwrap() as z.ZodType) : v])) as WithoutDefaults<
      typeof SettingsSchema.shape
    >,
  )
  .partial();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({});
