import { describe, expect, it } from 'vitest';
import { buildModules, storeModule, type Built, type Platform } from './module.ts';

const platform = {} as Platform;

describe('modules (the composition root as a list)', () => {
  it('R3 each module gets what earlier ones provide; a later one is reachable only from a closure run after start-up', async () => {
    const calls: string[] = [];
    const a = storeModule({ name: 'a', create: (_p, s: { later: () => string }) => ({ provides: { a: 1, askLater: () => s.later() } }) });
    const b = storeModule({
      name: 'b',
      create: (_p, s: { a: number }) => {
        calls.push(`b sees a = ${s.a}`);
        return { provides: { later: () => 'from b' } };
      },
    });
    const built: Built<unknown>[] = [];
    const s = await buildModules(platform, [a, b] as const, built);
    expect(calls).toEqual(['b sees a = 1']);
    expect(s.askLater()).toBe('from b');
    expect(built).toHaveLength(2);
  });

  it('R3 a module that reads a service no earlier module provides fails at once, naming both', async () => {
    const early = storeModule({ name: 'early', create: (_p, s: { late: number }) => ({ provides: { early: s.late + 1 } }) });
    const late = storeModule({ name: 'late', create: () => ({ provides: { late: 1 } }) });
    await expect(buildModules(platform, [early, late] as const, [])).rejects.toThrow(/module early needs "late"/);
  });

  it('R3 two modules providing one name is refused', async () => {
    const one = storeModule({ name: 'one', create: () => ({ provides: { x: 1 } }) });
    const two = storeModule({ name: 'two', create: () => ({ provides: { x: 2 } }) });
    await expect(buildModules(platform, [one, two] as const, [])).rejects.toThrow(
      /module two provides "x", which an earlier module provides too/,
    );
  });
});
