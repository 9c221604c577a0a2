/**
 * Settings: validated by the shared schema on the way in and on the way out. The storage is a
 * parameter — electron-store in the app, a JSON file for the CLI and the station, memory in tests.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { OmrError } from '../../../shared/errors';
import { DEFAULT_SETTINGS, SettingsPatchSchema, SettingsSchema, type Settings, type SettingsPatch } from '../../../shared/settings';

export interface SettingsStore {
  read(): unknown;
  write(value: Settings): void;
}

export class MemorySettingsStore implements SettingsStore {
  constructor(private value: unknown = {}) {}
  read(): unknown {
    return this.value;
  }
  write(value: Settings): void {
    this.value = structuredClone(value);
  }
}

/** A JSON file, replaced atomically (write to a temp file, then rename). */
export class JsonFileSettingsStore implements SettingsStore {
  constructor(readonly file: string) {}
  read(): unknown {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
    } catch {
      return {};
    }
  }
  write(value: Settings): void {
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(value, null, 2));
      renameSync(tmp, this.file);
    } catch (e) {
      throw new OmrError('STORAGE_ERROR', (e as Error).message, { cause: e });
    }
  }
}

type Listener = (s: Settings) => void;

export class SettingsService {
  private listeners = new Set<Listener>();
  constructor(private readonly store: SettingsStore) {}

  /** The stored settings; a field that no longer validates falls back to its default alone. */
  get(): Settings {
    const raw = this.store.read();
    const whole = SettingsSchema.safeParse(raw);
    if (whole.success) return whole.data;
    const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
    if (raw && typeof raw === 'object') {
      const shape = SettingsSchema.shape as Record<string, { safeParse(v: unknown): { success: boolean; data?: unknown } }>;
      for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
        const field = shape[key];
        if (!field) continue;
        const r = field.safeParse(value);
        if (r.success) out[key] = r.data;
      }
    }
    return SettingsSchema.parse(out);
  }

  set(patch: SettingsPatch): Settings {
    const checked = SettingsPatchSchema.strict().safeParse(patch);
    if (!checked.success) throw new OmrError('INVALID_REQUEST', checked.error.issues[0]?.message);
    const next = SettingsSchema.parse({ ...this.get(), ...stripUndefined(checked.data) });
    this.store.write(next);
    for (const l of this.listeners) l(next);
    return next;
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
