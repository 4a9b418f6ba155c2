import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildMatrix, invertSpd, Recommender, type Interaction } from './model.ts';
import { audienceScores, rocAuc, type AudienceEvent, type GameFacts } from './audience.ts';

/** Two taste clusters: shooters (s1..s4) and farming sims (f1..f4); 40 users each own three of their cluster. */
function clusters(): Interaction[] {
  const rows: Interaction[] = [];
  for (let u = 0; u < 40; u++) {
    const kind = u % 2 ? 's' : 'f';
    for (let i = 0; i < 3; i++) rows.push({ user: `u${u}`, game: `${kind}${((Math.floor(u / 2) + i) % 4) + 1}`, hours: 5 + u });
  }
  return rows;
}

describe('recommender model (R8)', () => {
  it('R8 inverts a positive definite matrix (Cholesky)', () => {
    const a = Float64Array.from([4, 2, 0.6, 2, 2, 0.5, 0.6, 0.5, 3]);
    const inv = invertSpd(Float64Array.from(a), 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += a[i * 3 + k]! * inv[k * 3 + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });

  it('R8 recommends the missing game of the user’s own cluster first, and never a game the user has', () => {
    const m = buildMatrix(clusters());
    const model = Recommender.train(m);
    for (let u = 0; u < m.users.length; u++) {
      const top = model.recommendFor(u, 3).map((g) => m.games[g]);
      const have = new Set([...m.userItems.subarray(m.userPtr[u], m.userPtr[u + 1])].map((g) => m.games[g]));
      expect(top.filter((g) => have.has(g))).toEqual([]);
      expect(top[0]?.[0]).toBe(Number(m.users[u]!.slice(1)) % 2 ? 's' : 'f');
      expect(top).toHaveLength(3);
    }
  });

  it('R8 names the owned game that contributed most ("because you played X")', () => {
    const m = buildMatrix([...clusters(), { user: 'me', game: 's1', hours: 50 }, { user: 'me', game: 'f1', hours: 0 }]);
    const model = Recommender.train(m);
    const u = m.userIndex.get('me')!;
    const owned = m.userItems.subarray(m.userPtr[u], m.userPtr[u + 1]);
    const weights = m.userWeight.subarray(m.userPtr[u], m.userPtr[u + 1]);
    expect(m.games[model.because(owned, weights, m.gameIndex.get('s2')!)!]).toBe('s1');
    expect(m.games[model.because(owned, weights, m.gameIndex.get('f2')!)!]).toBe('f1');
  });

  it('R8 rec:recommend writes one line per input user with k unowned ids from the input catalogue', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rec-'));
    const rows = clusters();
    writeFileSync(
      join(dir, 'in.csv'),
      ['user_id,game_id,hours', ...rows.map((r) => `${r.user},${r.game},${r.hours}`), '"odd, user",f1,0'].join('\n'),
    );
    execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/recommendations/cli/recommend.ts',
        '--interactions',
        join(dir, 'in.csv'),
        '--out',
        join(dir, 'out.jsonl'),
        '--k',
        '4',
      ],
      { stdio: 'pipe' },
    );
    const lines = readFileSync(join(dir, 'out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { user_id: string; game_ids: string[] });
    expect(lines.map((l) => l.user_id).sort()).toEqual([...new Set([...rows.map((r) => r.user), 'odd, user'])].sort());
    const catalogue = new Set(rows.map((r) => r.game));
    for (const l of lines) {
      const owned = new Set(rows.filter((r) => r.user === l.user_id).map((r) => r.game));
      if (l.user_id === 'odd, user') owned.add('f1');
      expect(l.game_ids).toHaveLength(4);
      expect(new Set(l.game_ids).size).toBe(4);
      for (const g of l.game_ids) {
        expect(catalogue.has(g)).toBe(true);
        expect(owned.has(g)).toBe(false);
      }
    }
  });
});

describe('audience model (S1.2)', () => {
  const games = new Map<string, GameFacts>([
    ['rogue1', { id: 'rogue1', genres: ['RPG'], tags: ['Roguelike', 'Pixel Graphics'] }],
    ['rogue2', { id: 'rogue2', genres: ['RPG'], tags: ['Roguelike', 'Dungeon Crawler'] }],
    ['ball', { id: 'ball', genres: ['Sports'], tags: ['Football'] }],
    ['new', { id: 'new', genres: ['RPG'], tags: ['Roguelike', 'Dungeon Crawler'] }],
  ]);
  const at = (d: string) => new Date(`${d}T00:00:00Z`);
  const asOf = at('2016-05-01');

  it('S1.2 a fan of the genre outranks a user of another genre with the same activity; later events are not used', () => {
    const events: AudienceEvent[] = [
      { user: 'fan', game: 'rogue1', at: at('2016-03-01'), hours: 40 },
      { user: 'fan', game: 'rogue2', at: at('2016-04-01'), hours: 10, recommend: true },
      { user: 'sporty', game: 'ball', at: at('2016-03-01'), hours: 40 },
      { user: 'sporty', game: 'ball', at: at('2016-04-01'), hours: 10 },
      { user: 'late', game: 'rogue1', at: at('2016-05-01'), hours: 99 },
      { user: 'owner', game: 'rogue1', at: at('2016-02-01'), hours: 9 },
      { user: 'owner', game: 'new', at: at('2016-04-20') },
    ];
    const s = audienceScores(events, games, games.get('new')!, asOf);
    expect(s.get('fan')!).toBeGreaterThan(s.get('sporty')!);
    expect(s.has('late')).toBe(false);
    expect(s.has('owner')).toBe(false);
  });

  it('S1.2 recent activity counts more than the same history long ago', () => {
    const events: AudienceEvent[] = [
      { user: 'recent', game: 'rogue1', at: at('2016-04-01'), hours: 10 },
      { user: 'lapsed', game: 'rogue1', at: at('2012-04-01'), hours: 10 },
    ];
    const s = audienceScores(events, games, games.get('new')!, asOf);
    expect(s.get('recent')!).toBeGreaterThan(s.get('lapsed')!);
  });

  it('S1.2 ROC-AUC is 1 for a perfect ranking, 0 for a reversed one, 0.5 for ties', () => {
    const s = new Map([
      ['a', 3],
      ['b', 2],
      ['c', 1],
    ]);
    expect(rocAuc(s, new Set(['a']))).toBe(1);
    expect(rocAuc(s, new Set(['c']))).toBe(0);
    expect(
      rocAuc(
        new Map([
          ['a', 1],
          ['b', 1],
        ]),
        new Set(['a']),
      ),
    ).toBe(0.5);
  });
});
