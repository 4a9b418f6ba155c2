import { describe, expect, it } from 'vitest';
import type { Tx } from './db/tx.ts';
import { machinePer, StateMachine } from './state-machine.ts';

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

  it('S1.8 S1.12 a move’s own hook runs only for that move, before the hooks of the state it enters', async () => {
    type Order = 'pending' | 'paid' | 'refund_pending';
    const seen: string[] = [];
    const m = new StateMachine<Order, null>('order', { pending: ['paid'], paid: ['refund_pending'], refund_pending: ['paid'] })
      .onEnter('paid', async () => void seen.push('entered paid'))
      .onMove('pending', 'paid', async () => void seen.push('first paid: mail and library'));
    await m.move(tx, 'pending', 'paid', null, async () => true);
    await m.move(tx, 'paid', 'refund_pending', null, async () => true);
    // A refused refund puts the order back to paid: no second confirmation mail.
    await m.move(tx, 'refund_pending', 'paid', null, async () => true);
    expect(seen).toEqual(['first paid: mail and library', 'entered paid', 'entered paid']);
    expect(() => m.onMove('pending', 'refund_pending', async () => undefined)).toThrow('order: pending → refund_pending is not a move');
  });

  it('S2.11 one machine per set of dependencies: its hooks are added once, however often a lifecycle asks for it', () => {
    let built = 0;
    const of = machinePer(
      (d: { name: string }) => (built++, new StateMachine<Light, null>(d.name, { red: ['green'], green: [], amber: [] })),
    );
    const [a, b] = [{ name: 'a' }, { name: 'b' }];
    expect(of(a)).toBe(of(a));
    expect(of(b)).not.toBe(of(a));
    expect(of(b).name).toBe('b');
    expect(built).toBe(2);
  });

  it('S2.12 a hook that fails fails the move (its transaction rolls back with it)', async () => {
    const m = new StateMachine<Light, null>('light', { red: ['green'], green: [], amber: [] }).onEnter('green', async () => {
      throw new Error('mail outbox unavailable');
    });
    await expect(m.move(tx, 'red', 'green', null, async () => true)).rejects.toThrow('mail outbox unavailable');
  });
});
