import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The layering, checked rather than promised (issue: the house before it grows). Every relative import between
 * the top-level rooms of src/ is an arrow; the arrows must form no cycle, `platform/` (plumbing and the shared
 * vocabulary) imports no context, and no context imports the rooms above it: `flows/` (sagas composing
 * contexts), `app.ts` (the composition root), `cli/`, `main.ts`. Type-only imports count: they couple too.
 */
const SRC = import.meta.dirname;
const ABOVE_CONTEXTS = new Set(['flows', 'app', 'cli', 'main']);
/** Rooms that are not contexts: plumbing, the command line, the payment gateway sandbox (a process of its own). */
const NOT_CONTEXTS = new Set(['platform', 'cli', 'paysim']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}
const room = (path: string) =>
  relative(SRC, path)
    .split(sep)[0]!
    .replace(/\.tsx?$/, '');

/** room → the rooms it imports, with one example import per arrow. */
function arrows(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of files(SRC)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = resolve(dirname(file), m[1]!);
      if (!target.startsWith(SRC + sep)) continue;
      const [from, to] = [room(file), room(target)];
      if (from === to) continue;
      if (!graph.has(from)) graph.set(from, new Map());
      if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, `${relative(SRC, file)} imports ${m[1]}`);
    }
  }
  return graph;
}

/** Strongly connected components with more than one room (Tarjan). */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/** Better Auth's tables: created by its own migrator (accounts/auth.ts), owned by accounts. */
const BETTER_AUTH_TABLES = ['user', 'session', 'account', 'verification', 'twoFactor', 'jwks'];

/** table → the room whose migrations create it. */
function tableOwners(): Map<string, string> {
  const owners = new Map<string, string>(BETTER_AUTH_TABLES.map((t) => [t, 'accounts']));
  for (const file of files(SRC))
    for (const m of readFileSync(file, 'utf8').matchAll(/create table (?:if not exists )?"?([A-Za-z_]+)/gi)) owners.set(m[1]!, room(file));
  return owners;
}

/**
 * The tables a text names as a query would: Kysely's builders (`selectFrom('orders as o')`, joins, inserts, updates,
 * deletes) and SQL (`from`, `join`, `into`, `update`). A foreign key (`references orders (id)`) declares a relation
 * and is not access; interface keys are types, not queries.
 */
function tablesNamed(text: string): string[] {
  const found: string[] = [];
  const builder =
    /\b(?:selectFrom|insertInto|updateTable|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin|mergeInto|with)\(\s*['"]([A-Za-z_]+)/g;
  const sqlWords = /\b(?:from|join|into|update)\s+"?([A-Za-z_]+)"?/gi;
  for (const m of text.matchAll(builder)) found.push(m[1]!);
  for (const m of text.matchAll(sqlWords)) found.push(m[1]!);
  return found;
}

/** "file names table (owned by room)" for every table a context's code names that another room owns. */
function foreignTableAccess(): string[] {
  const owners = tableOwners();
  const out = new Set<string>();
  for (const file of files(SRC)) {
    const mine = room(file);
    if (ABOVE_CONTEXTS.has(mine)) continue; // the sagas and the composition root go through the contexts' stores
    for (const table of tablesNamed(readFileSync(file, 'utf8'))) {
      const owner = owners.get(table);
      if (owner && owner !== mine) out.add(`${relative(SRC, file)} names ${table} (owned by ${owner})`);
    }
  }
  return [...out].sort();
}

describe('the layering of src/ (R3: contexts kept apart, so each can move to the store that fits it)', () => {
  const graph = arrows();

  it('R3 the rooms of src/ import each other without a cycle', () => {
    const found = cycles(graph).map((c) =>
      c.map((r) => `${r} → {${[...(graph.get(r)?.keys() ?? [])].filter((t) => c.includes(t)).join(', ')}}`).join('; '),
    );
    expect(found).toEqual([]);
  });

  it('R3 platform/ imports no context: plumbing and shared vocabulary only', () => {
    expect([...(graph.get('platform') ?? new Map()).values()]).toEqual([]);
  });

  it('R3 no context imports the sagas, the composition root or the command line above it', () => {
    const upward = [...graph]
      .filter(([from]) => !ABOVE_CONTEXTS.has(from))
      .flatMap(([, to]) => [...to].filter(([t]) => ABOVE_CONTEXTS.has(t)).map(([, why]) => why));
    expect(upward).toEqual([]);
  });

  it("R3 one owner per table: a context's code reads and writes only the tables its own migrations create", () => {
    expect(foreignTableAccess()).toEqual([]);
  });

  it('R3 every context is a module the composition root lists', () => {
    const rooms = readdirSync(SRC).filter((n) => statSync(join(SRC, n)).isDirectory() && !NOT_CONTEXTS.has(n));
    const app = readFileSync(join(SRC, 'app.ts'), 'utf8');
    const missing = rooms.filter((r) => !existsSync(join(SRC, r, 'module.ts')) || !app.includes(`from './${r}/module.ts'`));
    expect(rooms.length).toBeGreaterThan(15);
    expect(missing).toEqual([]);
  });

  it('R3 the table check sees the tables it is about (a sanity check of the parser)', () => {
    const owners = tableOwners();
    expect(owners.get('orders')).toBe('orders');
    expect(owners.get('gifts')).toBe('gifts');
    expect(owners.get('user')).toBe('accounts');
    expect(owners.get('timers')).toBe('platform');
    expect(owners.size).toBeGreaterThan(50);
    // The parser finds a foreign table in each way code names one.
    const probe = (text: string) => tablesNamed(text).filter((t) => owners.get(t) === 'orders');
    expect(probe(`db.selectFrom('orders as o')`)).toEqual(['orders']);
    expect(probe(`.innerJoin('library as l', 'l.game_id', 'g.id')`)).toEqual(['library']);
    expect(probe('sql`update orders set status = 1`')).toEqual(['orders']);
    expect(probe('sql`select 1 from payment_events e join library l on true`')).toEqual(['payment_events', 'library']);
    expect(probe(`interface T { orders: OrdersTable }`)).toEqual([]);
    expect(probe(`id uuid primary key references orders (id)`)).toEqual([]);
  });

  it('R3 the check sees the arrows it is about (a sanity check of the parser)', () => {
    expect(graph.get('flows')?.has('orders')).toBe(true);
    expect(graph.get('app')?.has('platform')).toBe(true);
    expect(graph.size).toBeGreaterThan(10);
  });
});
