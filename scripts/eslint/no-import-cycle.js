// ESLint rule: no import cycle among the project's own modules. It follows relative imports
// (static `import`/`export … from` and `import()`; `import type` too, since a type cycle is a
// design cycle) through the files on disk and reports the import that closes a loop back to the
// file being linted. The graph is cached per lint run.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const EXTS = ['.ts', '.tsx', '.js', '.mjs', '/index.ts', '/index.tsx'];
const SPEC = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;
const edges = new Map();

function resolveFile(from, spec) {
  const base = join(dirname(from), spec);
  if (existsSync(base) && statSync(base).isFile()) return base;
  for (const e of EXTS) if (existsSync(base + e)) return base + e;
  return undefined;
}

function importsOf(file) {
  let out = edges.get(file);
  if (out) return out;
  out = [];
  edges.set(file, out);
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return out;
  }
  for (const m of text.matchAll(SPEC)) {
    const target = resolveFile(file, m[1] ?? m[2]);
    if (target) out.push(target);
  }
  return out;
}

/** A path from `start` back to `goal`, or undefined. Depth-first with a visited set. */
function pathBack(start, goal) {
  const seen = new Set();
  const stack = [[start, [start]]];
  while (stack.length) {
    const [file, trail] = stack.pop();
    if (file === goal) return trail;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const next of importsOf(file)) if (!seen.has(next)) stack.push([next, [...trail, next]]);
  }
  return undefined;
}

export default {
  meta: { type: 'problem', docs: { description: 'disallow import cycles between project modules' }, schema: [] },
  create(context) {
    const file = context.filename;
    const check = (node, source) => {
      const spec = source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = resolveFile(file, spec);
      if (!target || target === file) return;
      const loop = pathBack(target, file);
      if (loop) {
        const cwd = context.cwd ?? process.cwd();
        context.report({ node, message: `Import cycle: ${[file, ...loop].map((f) => relative(cwd, f)).join(' → ')}` });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
    };
  },
};
