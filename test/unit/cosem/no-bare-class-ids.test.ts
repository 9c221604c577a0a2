/**
 * COSEM class ids and attribute/method ids are written by name (electron/engine/cosem/registry.ts),
 * never as bare numbers. This reads every source file of electron/ and bench/ and fails on a bare
 * class id or attribute id outside the registry (tests may keep numbers: they assert on bytes).
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '../../..');
const SCANNED = ['electron', 'bench'];
/** The registry itself: where the numbers live. */
const REGISTRY = [/^electron\/engine\/cosem\/ic\//, /^electron\/engine\/cosem\/registry\.ts$/];
/**
 * Known leftovers, by file and exact line text (a line that changes is checked again). push.ts and
 * customer-port/ are being reworked for push listening; they should say PushSetup.id, and then
 * leave this list.
 */
const PUSH_SETUP_LINE = 'const named = list[0]?.classId === 40 && list.length === items.length ? list.slice(1) : list;';
const KNOWN: { file: string; line: string }[] = [
  { file: 'electron/engine/dlms/push.ts', line: PUSH_SETUP_LINE },
  { file: 'electron/engine/customer-port/lists.ts', line: PUSH_SETUP_LINE },
];

/** Line patterns of a bare class, attribute or method id. */
const LINE_PATTERNS: [string, RegExp][] = [
  ['class id in a literal', /\bclassId\s*:\s*\d/],
  ['class id compared to a number', /\bclassId\s*[!=]==?\s*\d|\b\d+\s*[!=]==?\s*[\w.?]*\bclassId\b/],
  ['class id in a list of numbers', /\[\s*\d+(\s*,\s*\d+)*\s*\]\s*\.\s*includes\([^)]*classId/],
  ['attribute or method id in a literal', /\b(attribute|method)\s*:\s*-?\d/],
  ['attribute or method id compared to a number', /\b(attr|attribute|method)\s*[!=]==?\s*\d/],
  ['class id and logical name as positional arguments', /\b(get|read|request|descriptor)\(\s*\d+\s*,\s*(['"`[]|\w*(obis|ln)\b)/i],
  ['class id in an encoded capture object', /longUnsigned\(\s*\d+\s*\)\s*,\s*(lnValue|D\.octets)\(/],
];
/** `switch (attr)`-like blocks whose cases are numbers. */
const SWITCH = /switch\s*\(\s*([\w.]*\b(attr|attribute|method))\s*\)\s*\{/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(ts|tsx|mts)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

/** Comments blanked (kept line by line), so prose like "class 8, attribute 2" does not count. */
function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

interface Finding {
  file: string;
  line: number;
  text: string;
  why: string;
}

function findBareIds(file: string, text: string): Finding[] {
  const code = stripComments(text);
  const lines = code.split('\n');
  const raw = text.split('\n');
  const out: Finding[] = [];
  lines.forEach((l, i) => {
    for (const [why, re] of LINE_PATTERNS) if (re.test(l)) out.push({ file, line: i + 1, text: raw[i]!.trim(), why });
  });
  for (const m of code.matchAll(SWITCH)) {
    // The switch body up to its matching brace.
    let depth = 0;
    let end = m.index + m[0].length - 1;
    for (; end < code.length; end++) {
      if (code[end] === '{') depth++;
      else if (code[end] === '}' && --depth === 0) break;
    }
    const body = code.slice(m.index, end);
    for (const c of body.matchAll(/\bcase\s+\d+\s*:/g)) {
      const line = code.slice(0, m.index + c.index).split('\n').length;
      out.push({ file, line, text: raw[line - 1]!.trim(), why: `numbered case in switch (${m[1]})` });
    }
  }
  return out;
}

describe('no bare COSEM class or attribute ids outside the registry', () => {
  it('finds the patterns it looks for, and not the named forms', () => {
    const bad = [
      'get([{ classId: 3, obis, attribute: 2 }])',
      'if (e.classId === 7) x();',
      'if (8 !== c.classId) x();',
      'if (![1, 3, 4].includes(e.classId)) continue;',
      'return { obis, classId: 5 };',
      "const r = session.get(3, '1-0:1.8.0*255', 2);",
      'encodeActionRequest({ invokeId, classId, obis, method: 1 });',
      'if (attr === 2) return v;',
      'D.structure([D.longUnsigned(8), lnValue(CLOCK_LN), D.integer(2)])',
      'switch (attr) {\n  case 1:\n    return a;\n  case Clock.attr.time:\n    return b;\n}',
    ];
    for (const b of bad) expect(findBareIds('x.ts', b), b).not.toEqual([]);
    expect(findBareIds('x.ts', 'switch (attr) {\n  case 1:\n  case 2:\n}').map((f) => f.line)).toEqual([2, 3]);
    const good = [
      'get([{ classId: Register.id, obis, attribute: Register.attr.scaler_unit }])',
      'if (e.classId === ClassId.ProfileGeneric) x();',
      'if (!VALUE_CLASSES.has(e.classId)) continue;',
      'if (!Number.isInteger(d.classId) || d.classId < 0 || d.classId > 0xffff) throw e;',
      'if (req.attribute < 1 || req.attribute > obj.attributeCount) return x;',
      'const d = { classId: c.value, obis, attribute: a.value, dataIndex: 0 };',
      '/** Register (3): value (2), scaler_unit (3); classId: 3 in prose. */',
      '// classId === 7 in a comment',
      'switch (v.type) {\n  case 1:\n}',
      "const url = 'http://x'; const y = { classId: Data.id };",
      'if (access.selector === PROFILE_SELECTOR.range) x();',
    ];
    for (const g of good) expect(findBareIds('x.ts', g), g).toEqual([]);
  });

  it('finds none in electron/ and bench/ (the registry aside)', () => {
    const files = SCANNED.flatMap(sourceFiles).filter((f) => !REGISTRY.some((r) => r.test(f)));
    expect(files.length).toBeGreaterThan(50);
    const findings = files.flatMap((f) => findBareIds(f, readFileSync(join(ROOT, f), 'utf8')));
    const known = (x: Finding) => KNOWN.some((k) => k.file === x.file && k.line === x.text);
    expect(findings.filter((x) => !known(x)).map((x) => `${x.file}:${x.line} ${x.why}: ${x.text}`)).toEqual([]);
    expect(relative(ROOT, join(ROOT, SCANNED[0]!))).toBe('electron');
  });
});
