import { describe, expect, it } from 'vitest';
import { defineSaga, sagaTable, SagaDefinitionError, type SagaStep } from './saga.ts';

type C = { n: number };
const run = async () => undefined;
const compensable = (name: string): SagaStep<C> => ({
  kind: 'compensable',
  name,
  call: `${name}()`,
  run,
  compensation: `undo ${name}`,
  compensate: run,
});
const pivot = (name: string): SagaStep<C> => ({ kind: 'pivot', name, call: `${name}()`, run });
const retriable = (name: string): SagaStep<C> => ({ kind: 'retriable', name, call: `${name}()`, run });

describe('saga definitions (D1)', () => {
  it('D1 accepts compensable steps, then one pivot, then retriable steps', () => {
    const saga = defineSaga<C>({
      name: 'preorder-game',
      summary: 's',
      steps: [compensable('reserve'), compensable('use-points'), pivot('charge'), retriable('mail')],
    });
    expect(saga.steps).toHaveLength(4);
  });

  it.each([
    [
      'a retriable step before the pivot',
      [compensable('a'), retriable('r'), pivot('p')],
      /retriable step "r" comes after|compensable, then the pivot/,
    ],
    ['a compensable step after the pivot', [pivot('p'), compensable('a')], /compensable step "a" comes after pivot/],
    ['no pivot', [compensable('a'), retriable('r')], /exactly one pivot/],
    ['two pivots', [pivot('p'), pivot('q')], /exactly one pivot/],
    ['duplicate names', [compensable('a'), compensable('a'), pivot('p')], /two steps are named "a"/],
  ] as const)('D1 refuses %s', (_why, steps, message) => {
    expect(() => defineSaga<C>({ name: 'refund-order', summary: 's', steps: [...steps] })).toThrow(SagaDefinitionError);
    expect(() => defineSaga<C>({ name: 'refund-order', summary: 's', steps: [...steps] })).toThrow(message);
  });

  it('D1 refuses a compensable step without its compensation', () => {
    const broken = { kind: 'compensable', name: 'a', call: 'a()', run, compensation: '', compensate: run } as SagaStep<C>;
    expect(() => defineSaga<C>({ name: 'refund-order', summary: 's', steps: [broken, pivot('p')] })).toThrow(/has no compensation/);
  });

  it('D1 saga names are verb-noun', () => {
    expect(() => defineSaga<C>({ name: 'Preorder', summary: 's', steps: [pivot('p')] })).toThrow(/verb-noun/);
  });

  it('D1 the documentation table is generated from the definition', () => {
    const table = sagaTable(
      defineSaga<C>({ name: 'preorder-game', summary: 'Pre-order.', steps: [compensable('reserve'), pivot('charge'), retriable('mail')] }),
    );
    expect(table).toContain('| 1 | reserve | reserve() | compensable | undo reserve |');
    expect(table).toContain('| 2 | charge | charge() | pivot |');
    expect(table).toContain('| 3 | mail | mail() | retriable |');
  });
});
