/**
 * The UI text (the `ui.*` keys of shared/i18n, as i18next gets them): English and French have
 * exactly the same keys, no empty text, and every key the renderer asks for exists (static
 * `t('…')` keys, and the keys built from the contract's enums).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { uiResources } from '../../../shared/i18n';
import { ReadPlanSchema } from '../../../shared/session';
import { CsvDialectSchema, MeterProfileSchema } from '../../../shared/settings';

type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const EN = flatten(uiResources('en') as Tree);
const FR = flatten(uiResources('fr') as Tree);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

/** A key exists as is, or as an i18next plural (`_one` / `_other`). */
const has = (m: Map<string, string>, key: string) => m.has(key) || (m.has(`${key}_one`) && m.has(`${key}_other`));

describe('locales', () => {
  it('English and French have exactly the same keys', () => {
    const onlyEn = [...EN.keys()].filter((k) => !FR.has(k));
    const onlyFr = [...FR.keys()].filter((k) => !EN.has(k));
    expect(onlyEn).toEqual([]);
    expect(onlyFr).toEqual([]);
    expect(EN.size).toBeGreaterThan(100);
  });

  it('has no empty or untrimmed text', () => {
    for (const [lang, m] of [
      ['en', EN],
      ['fr', FR],
    ] as const) {
      const bad = [...m].filter(([, v]) => v.trim() === '' || v !== v.trim()).map(([k]) => `${lang}:${k}`);
      expect(bad).toEqual([]);
    }
  });

  it('uses the same interpolation variables in both languages', () => {
    const vars = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const diff = [...EN].filter(([k, v]) => JSON.stringify(vars(v)) !== JSON.stringify(vars(FR.get(k) ?? ''))).map(([k]) => k);
    expect(diff).toEqual([]);
  });

  it('has every static key the renderer asks for', () => {
    const keys = new Set<string>();
    for (const file of sourceFiles('renderer/src')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\('([\w.-]+)'/g)) keys.add(m[1]!);
    }
    expect(keys.size).toBeGreaterThan(100);
    const missing = [...keys].filter((k) => !has(EN, k) || !has(FR, k));
    expect(missing).toEqual([]);
  });

  it('has the keys built from the contract and the settings', () => {
    const dynamic = [
      ...['searching', 'unstable', 'steady', 'echo-only', 'silent', 'garbled', 'stopped', 'failed'].flatMap((s) => [`align.hint.${s}`, `align.state.${s}`]),
      ...ReadPlanSchema.options.flatMap((p) => [`read.plans.${p}.name`, `read.plans.${p}.help`]),
      ...['readout', 'dlms'].map((p) => `read.protocol.${p}`),
      ...['open', 'done', 'failed', 'cancelled', 'interrupted'].map((s) => `sessions.states.${s}`),
      ...CsvDialectSchema.options.map((d) => `settings.dialects.${d}`),
      ...MeterProfileSchema.shape.auth.unwrap().options.map((a) => `settings.auth.${a}`),
      ...['tx', 'rx', 'info'].map((d) => `trace.${d}`),
      ...['readings', 'profile', 'events', 'trace'].map((k) => `review.${k}`),
      ...['readings', 'profile', 'events'].map((k) => `export.${k}`),
      ...['port', 'align', 'identify', 'read', 'review'].map((s) => `steps.${s}`),
      ...['pass', 'fail', 'warning', 'skipped', 'pending'].map((s) => `doctor.status.${s}`),
    ];
    const missing = dynamic.filter((k) => !has(EN, k) || !has(FR, k));
    expect(missing).toEqual([]);
  });
});
