import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../platform/clock.ts';
import { isoDate } from '../platform/clock.ts';
import { readCatalog, uniqueSlug } from './interchange.ts';
import type { GameInput, PriceEntry } from './schemas.ts';
import type { CatalogService } from './service.ts';

/**
 * Demo catalog for `npm start`: a built-in set of fictional games (with Korean and Japanese texts,
 * upcoming releases and region locks), plus, when the Steam data set sits beside the repository
 * (DEMO_DATA_DIR, for local demos only — it is never shipped), a few thousand real titles.
 */

/** A regional price book derived from a USD list price, rounded the way stores price in each currency. */
export function regionalPrices(usdCents: number): PriceEntry[] {
  if (usdCents === 0) return [{ country: '*', currency: 'USD', amountMinor: 0 }];
  const round = (v: number, step: number) => Math.max(step, Math.round(v / step) * step);
  const ending99 = (cents: number) => Math.max(99, Math.round(cents / 100) * 100 - 1);
  return [
    { country: '*', currency: 'USD', amountMinor: usdCents },
    { country: 'US', currency: 'USD', amountMinor: usdCents },
    { country: 'KR', currency: 'KRW', amountMinor: round(usdCents * 11.5, 100) },
    { country: 'JP', currency: 'JPY', amountMinor: round(usdCents * 1.3, 10) },
    ...['DE', 'FR', 'NL', 'ES', 'IT'].map((country) => ({ country, currency: 'EUR', amountMinor: ending99(usdCents * 0.95) })),
    { country: 'GB', currency: 'GBP', amountMinor: ending99(usdCents * 0.8) },
    { country: 'BR', currency: 'BRL', amountMinor: ending99(usdCents * 2.6) },
    { country: 'PL', currency: 'PLN', amountMinor: ending99(usdCents * 2.5) },
    { country: 'IN', currency: 'INR', amountMinor: round(usdCents * 0.35 * 100, 100) },
    { country: 'CN', currency: 'CNY', amountMinor: ending99(usdCents * 3.5) },
  ];
}

const everywhere = { mode: 'everywhere' as const, countries: [] };
const plusDays = (clock: Clock, days: number) => isoDate(new Date(clock.now().getTime() + days * 86_400_000));

interface Builtin {
  slug: string;
  title: Record<string, string>;
  summary: Record<string, string>;
  genres: string[];
  tags: string[];
  developer: string;
  usd: number;
  releaseInDays: number | null;
  regions?: GameInput['regions'];
  deluxeUsd?: number;
}

const BUILTIN: Builtin[] = [
  {
    slug: 'starfall-odyssey',
    title: { en: 'Starfall Odyssey', ko: '스타폴 오디세이', ja: 'スターフォール・オデッセイ' },
    summary: {
      en: 'Chart a course through a collapsing galaxy in this open-world space RPG.',
      ko: '무너져 가는 은하를 누비는 오픈 월드 우주 RPG.',
      ja: '崩壊する銀河を旅するオープンワールド宇宙RPG。',
    },
    genres: ['RPG', 'Adventure'],
    tags: ['Space', 'Open World', 'Sci-fi'],
    developer: 'Nebula Forge',
    usd: 5999,
    releaseInDays: 21,
    deluxeUsd: 7999,
  },
  {
    slug: 'dragon-hunter-legends',
    title: { en: 'Dragon Hunter Legends', ko: '드래곤 헌터 레전드', ja: 'ドラゴンハンター・レジェンズ' },
    summary: {
      en: 'Hunt colossal dragons with friends in a four-player co-op action game.',
      ko: '친구와 함께 거대한 드래곤을 사냥하는 4인 협동 액션 게임.',
      ja: '仲間と巨大なドラゴンを狩る4人協力アクション。',
    },
    genres: ['Action', 'RPG'],
    tags: ['Co-op', 'Fantasy', 'Dragons'],
    developer: 'Crimson Peak Studio',
    usd: 3999,
    releaseInDays: -120,
  },
  {
    slug: 'neon-drift-tokyo',
    title: { en: 'Neon Drift Tokyo', ko: '네온 드리프트 도쿄', ja: 'ネオンドリフト東京' },
    summary: {
      en: 'Street racing through a rain-soaked Tokyo at night.',
      ko: '비에 젖은 밤의 도쿄를 질주하는 스트리트 레이싱.',
      ja: '雨に濡れた夜の東京を駆け抜けるストリートレース。',
    },
    genres: ['Racing'],
    tags: ['Cars', 'Arcade', 'Night City'],
    developer: 'Shibuya Motorworks',
    usd: 2999,
    releaseInDays: -30,
  },
  {
    slug: 'kingdom-of-ashes',
    title: { en: 'Kingdom of Ashes', ko: '잿빛 왕국', ja: '灰の王国' },
    summary: {
      en: 'Grand strategy: rebuild a fallen kingdom, one province at a time.',
      ko: '몰락한 왕국을 한 지역씩 재건하는 대전략 게임.',
      ja: '滅びた王国を一州ずつ再建する大戦略ゲーム。',
    },
    genres: ['Strategy', 'Simulation'],
    tags: ['Medieval', 'Grand Strategy'],
    developer: 'Ironcrown Games',
    usd: 4999,
    releaseInDays: -400,
  },
  {
    slug: 'pocket-farm-story',
    title: { en: 'Pocket Farm Story', ko: '포켓 농장 이야기', ja: 'ポケット農園物語' },
    summary: {
      en: 'A cosy farming life sim with seasons, festivals and friends.',
      ko: '계절과 축제, 친구가 있는 아늑한 농장 생활 시뮬레이션.',
      ja: '季節と祭りと仲間がいる、のんびり農園生活シム。',
    },
    genres: ['Simulation', 'Casual'],
    tags: ['Farming', 'Relaxing', 'Cute'],
    developer: 'Little Acorn',
    usd: 1499,
    releaseInDays: -800,
  },
  {
    slug: 'shadow-protocol',
    title: { en: 'Shadow Protocol', ko: '섀도우 프로토콜', ja: 'シャドウ・プロトコル' },
    summary: {
      en: 'Tactical stealth shooter; every mission has a dozen ways in.',
      ko: '모든 임무에 수십 가지 공략법이 있는 전술 잠입 슈터.',
      ja: 'あらゆる任務に無数の攻略法がある戦術ステルスシューター。',
    },
    genres: ['Action'],
    tags: ['Stealth', 'Shooter', 'Tactical'],
    developer: 'Blackglass Interactive',
    usd: 4999,
    releaseInDays: 45,
    regions: { sale: { mode: 'except', countries: ['CN', 'DE'] }, play: { mode: 'except', countries: ['CN', 'DE'] } },
  },
  {
    slug: 'seoul-night-market',
    title: { en: 'Seoul Night Market', ko: '서울 야시장', ja: 'ソウル夜市' },
    summary: {
      en: 'Run a street-food stall in a bustling Seoul night market.',
      ko: '북적이는 서울 야시장에서 포장마차를 운영하세요.',
      ja: '賑やかなソウルの夜市で屋台を切り盛りしよう。',
    },
    genres: ['Simulation', 'Casual'],
    tags: ['Cooking', 'Management', 'Korea'],
    developer: 'Hangang Pixel',
    usd: 999,
    releaseInDays: -60,
    regions: { sale: { mode: 'only', countries: ['KR', 'JP', 'TW'] }, play: everywhere },
  },
  {
    slug: 'abyssal-depths',
    title: { en: 'Abyssal Depths', ko: '어비설 뎁스', ja: 'アビサル・デプス' },
    summary: {
      en: 'Survival horror on a research station at the bottom of the ocean.',
      ko: '심해 연구 기지에서 벌어지는 서바이벌 호러.',
      ja: '深海の研究基地で繰り広げられるサバイバルホラー。',
    },
    genres: ['Action', 'Adventure'],
    tags: ['Horror', 'Survival', 'Underwater'],
    developer: 'Deepwell',
    usd: 3499,
    releaseInDays: 7,
  },
  {
    slug: 'pixel-knights',
    title: { en: 'Pixel Knights', ko: '픽셀 나이츠', ja: 'ピクセルナイツ' },
    summary: {
      en: 'A fast roguelike platformer with hand-drawn pixel art.',
      ko: '손으로 그린 픽셀 아트의 빠른 로그라이크 플랫포머.',
      ja: '手描きドット絵の高速ローグライク・プラットフォーマー。',
    },
    genres: ['Action', 'Indie'],
    tags: ['Roguelike', 'Pixel Graphics', 'Platformer'],
    developer: 'Two Bit Castle',
    usd: 1999,
    releaseInDays: -15,
  },
  {
    slug: 'galactic-football-manager',
    title: { en: 'Galactic Football Manager', ko: '갤럭틱 풋볼 매니저', ja: 'ギャラクティック・フットボール・マネージャー' },
    summary: {
      en: 'Manage a football club in an interplanetary league.',
      ko: '행성 간 리그에서 축구 클럽을 운영하세요.',
      ja: '惑星間リーグでサッカークラブを経営しよう。',
    },
    genres: ['Sports', 'Simulation'],
    tags: ['Football', 'Management'],
    developer: 'Orbit Sports',
    usd: 3999,
    releaseInDays: 90,
  },
  {
    slug: 'mystic-academy',
    title: { en: 'Mystic Academy', ko: '미스틱 아카데미', ja: 'ミスティック・アカデミー' },
    summary: {
      en: 'A visual novel about the first year at a school of magic.',
      ko: '마법 학교의 첫해를 그린 비주얼 노벨.',
      ja: '魔法学校での一年目を描くビジュアルノベル。',
    },
    genres: ['Adventure'],
    tags: ['Visual Novel', 'Anime', 'Magic'],
    developer: 'Sakura Quill',
    usd: 1999,
    releaseInDays: -200,
  },
  {
    slug: 'frontier-builders',
    title: { en: 'Frontier Builders', ko: '프런티어 빌더스', ja: 'フロンティア・ビルダーズ' },
    summary: {
      en: 'City-building on a new planet: water, air, and politics.',
      ko: '새 행성의 도시 건설: 물, 공기, 그리고 정치.',
      ja: '新惑星での都市建設：水、空気、そして政治。',
    },
    genres: ['Strategy', 'Simulation'],
    tags: ['City Builder', 'Sci-fi', 'Colony Sim'],
    developer: 'Outpost Nine',
    usd: 2999,
    releaseInDays: -5,
  },
  {
    slug: 'blade-of-the-ronin',
    title: { en: 'Blade of the Ronin', ko: '로닌의 검', ja: '浪人の刃' },
    summary: {
      en: 'Precise sword duels in feudal Japan.',
      ko: '봉건 시대 일본에서 펼쳐지는 정밀한 검술 대결.',
      ja: '戦国の世で繰り広げられる緻密な剣戟。',
    },
    genres: ['Action'],
    tags: ['Samurai', 'Souls-like', 'Difficult'],
    developer: 'Kurogane Works',
    usd: 5999,
    releaseInDays: 180,
    deluxeUsd: 8999,
  },
  {
    slug: 'puzzle-lanterns',
    title: { en: 'Puzzle Lanterns', ko: '퍼즐 랜턴', ja: 'パズルランタン' },
    summary: {
      en: 'Light every lantern in 200 hand-made logic puzzles.',
      ko: '200개의 수제 논리 퍼즐 속 모든 등불을 밝히세요.',
      ja: '200の手作りロジックパズルで全ての灯籠を灯そう。',
    },
    genres: ['Casual', 'Indie'],
    tags: ['Puzzle', 'Relaxing'],
    developer: 'Paper Lantern',
    usd: 799,
    releaseInDays: -300,
  },
  {
    slug: 'warzone-command',
    title: { en: 'Warzone Command', ko: '워존 커맨드', ja: 'ウォーゾーン・コマンド' },
    summary: {
      en: 'Real-time modern warfare strategy with huge battles.',
      ko: '거대한 전투가 펼쳐지는 실시간 현대전 전략.',
      ja: '大規模戦闘が繰り広げられるリアルタイム現代戦ストラテジー。',
    },
    genres: ['Strategy'],
    tags: ['RTS', 'Military', 'War'],
    developer: 'Steel Division Labs',
    usd: 3999,
    releaseInDays: -45,
    regions: { sale: { mode: 'except', countries: ['RU', 'BY'] }, play: { mode: 'except', countries: ['RU', 'BY'] } },
  },
  {
    slug: 'free-arena-heroes',
    title: { en: 'Arena Heroes', ko: '아레나 히어로즈', ja: 'アリーナヒーローズ' },
    summary: { en: 'Free-to-play 5v5 hero battles.', ko: '무료 5대5 영웅 대전.', ja: '基本プレイ無料の5対5ヒーローバトル。' },
    genres: ['Action', 'Free to Play'],
    tags: ['MOBA', 'Multiplayer', 'Competitive'],
    developer: 'Arena Forge',
    usd: 0,
    releaseInDays: -700,
  },
];

function builtinInputs(clock: Clock): { input: GameInput; popularity: number }[] {
  return BUILTIN.map((b, i) => ({
    popularity: 5000 - i * 200,
    input: {
      slug: b.slug,
      status: 'published',
      defaultLanguage: 'en',
      title: b.title,
      summary: b.summary,
      description: Object.fromEntries(
        Object.entries(b.summary).map(([lang, text]) => [lang, `${text}\n\n${b.title[lang] ?? b.title.en} — ${b.developer}.`]),
      ),
      genres: b.genres,
      tags: b.tags,
      developer: b.developer,
      publisher: b.developer,
      releaseDate: b.releaseInDays === null ? null : plusDays(clock, b.releaseInDays),
      coverUrl: `/covers/${b.slug}?title=${encodeURIComponent(b.title.en!)}`,
      screenshots: [],
      editions: [
        {
          code: 'standard',
          name: { en: 'Standard Edition', ko: '스탠다드 에디션', ja: 'スタンダードエディション' },
          prices: regionalPrices(b.usd),
        },
        ...(b.deluxeUsd
          ? [
              {
                code: 'deluxe',
                name: { en: 'Deluxe Edition', ko: '디럭스 에디션', ja: 'デラックスエディション' },
                prices: regionalPrices(b.deluxeUsd),
              },
            ]
          : []),
      ],
      regions: b.regions ?? { sale: everywhere, play: everywhere },
    },
  }));
}

/** Real Steam titles from ucsd-steam-games.csv (see ../shared/data/README.md), most reviewed first. */
export function steamInputs(file: string, limit: number): { input: GameInput; popularity: number }[] {
  const out: { input: GameInput; popularity: number }[] = [];
  const slugs = new Set<string>();
  for (const r of readCatalog(readFileSync(file, 'utf8'), 'ucsd-csv', regionalPrices)) {
    if (!r.game) continue;
    const slug = uniqueSlug(r.game.input.slug, r.sourceId, slugs);
    if (!slug) continue;
    out.push({ ...r.game, input: { ...r.game.input, slug } });
  }
  return out.sort((a, b) => b.popularity - a.popularity).slice(0, limit);
}

export async function importInBatches(
  catalog: CatalogService,
  games: { input: GameInput; popularity: number }[],
  batch = 500,
): Promise<number> {
  let n = 0;
  for (let i = 0; i < games.length; i += batch) n += await catalog.importGames(games.slice(i, i + batch));
  return n;
}

/** Seeds the demo catalog into an empty store. */
export async function seedDemoCatalog(
  catalog: CatalogService,
  clock: Clock,
  opts: { mode: 'auto' | 'builtin' | 'off'; dataDir: string; size: number },
): Promise<{ builtin: number; steam: number }> {
  if (opts.mode === 'off' || (await catalog.countGames()) > 0) return { builtin: 0, steam: 0 };
  const builtin = await importInBatches(catalog, builtinInputs(clock));
  const file = join(opts.dataDir, 'ucsd-steam-games.csv');
  const steam =
    opts.mode === 'auto' && opts.size > 0 && existsSync(file)
      ? await importInBatches(
          catalog,
          steamInputs(file, opts.size).filter((g) => !BUILTIN.some((b) => b.slug === g.input.slug)),
        )
      : 0;
  return { builtin, steam };
}
