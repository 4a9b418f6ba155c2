import { describe, expect, it } from 'vitest';
import type { Tx } from './db/tx.ts';
import { StateMachine } from './state-machine.ts';

const tx = {} as Tx;
type Light = 'red' | 'green' | 'amber';

describe('state machine (lifecycles that own their side effects)', () => {
  it('S2.11 S2.12 D4 only an allowed move is applied; entering a state runs its hooks in order, and only for the move that won', async () => {
    const seen: string[] = [];
    const m = new StateMachine<Light, { id: number }>('light', { red: ['green'], green: ['amber'], amber: ['red'] })
      .onEnter('green', async (_tx, c) => void seen.push(`green#1 ${c.id}`))
      .onEnter('green', async (_tx, c) => void seen.push(`green#2 ${c.id}`));
    expect(await m.move(tx, 'red', 'green', { id: 1 }, async () => true)).toBe(true);
    // Another move got there first: the store applied nothing, so nothing is announced.
    expect(await m.move(tx, 'red', 'green', { id: 2 }, async () => false)).toBe(false);
    expect(await m.move(tx, 'green', 'amber', { id: 3 }, async () => true)).toBe(true);
    expect(seen).toEqual(['green#1 1', 'green#2 1']);
    let applied = false;
    await expect(m.move(tx, 'red', 'amber', { id: 4 }, async () => (applied = true))).rejects.toThrow(
      'light: red → amber is not a move of the light state machine',
    );
    expect(applied).toBe(false);
  });

  it('S2.12 a hook that fails fails the move (its transaction rolls back with it)', async () => {
    const m = new StateMachine<Light, null>('light', { red: ['green'], green: [], amber: [] }).onEnter('green', async () => {
      throw new Error('mail outbox unavailable');
    });
    await expect(m.move(tx, 'red', 'green', null, async () => true)).rejects.toThrow('mail outbox unavailable');
  });
});
