// No import cycles anywhere in src/: a cycle means two modules are really one, or that a seam (a shared module, a
// services boundary) is missing. Type-only imports are erased by TypeScript and cannot change load order, so, as
// import/no-cycle does, they are not edges. Reads the import graph from the sources directly.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return /\.(ts|tsx|mts)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** `import type …`, `export type …`, or braces holding only `type X` specifiers. */
function typeOnly(clause: string): boolean {
  if (/^\s*(?:import|export)\s+type\b/.test(clause)) return true;
  const braces = /^\s*(?:import|export)\s*\{([^}]*)\}\s*from/.exec(clause);
  if (!braces) return false;
  const names = braces[1]!.split(',').map((n) => n.trim()).filter(Boolean);
  return names.length > 0 && names.every((n) => n.startsWith('type '));
}

/** Relative specifiers this module loads at run time: static imports and re-exports (not type-only), side-effect and dynamic imports. */
function importSpecifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(/^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm)) if (!typeOnly(m[0])) out.push(m[1]!);
  for (const re of [/^\s*import\s*['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g]) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out.filter((s) => s.startsWith('.'));
}

function resolve(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const p of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')]) if (fs.existsSync(p) && fs.statSync(p).isFile()) return p;
  return null;
}

/** Strongly connected components with more than one module (or a module importing itself): Tarjan's algorithm. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('the import graph of src/', () => {
  it('finds cycles when there are some (the check itself works)', () => {
    const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
    const source = [
      "import type { X } from './x.ts';",
      "import { type A, type B } from './ab.ts';",
      "import { type C, d } from './cd.ts';",
      "export { y } from '../y.ts';",
      "export type { Z } from './z.ts';",
      "import './side.ts';",
      "const m = await import('./lazy.ts');",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(['./cd.ts', '../y.ts', './side.ts', './lazy.ts']);
  });

  it('has no cycles', () => {
    const graph = new Map<string, string[]>();
    for (const file of sourceFiles(root)) {
      const deps = importSpecifiers(fs.readFileSync(file, 'utf8'))
        .map((s) => resolve(file, s))
        .filter((p): p is string => p !== null && p.startsWith(root));
      graph.set(file, deps);
    }
    expect(graph.size).toBeGreaterThan(100);
    const found = cycles(graph).map((c) => c.map((f) => path.relative(root, f)).join(' → '));
    expect(found).toEqual([]);
  });
});
