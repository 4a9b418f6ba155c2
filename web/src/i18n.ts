/** UI labels in the store's first languages; game texts come translated from the catalog itself. */
const en = {
  search: 'Search games', searchButton: 'Search', newReleases: 'New releases', upcoming: 'Coming soon', popular: 'Popular now', genres: 'Browse by genre',
  signIn: 'Sign in', signUp: 'Create account', signOut: 'Sign out', account: 'Account', console: 'Operator console', email: 'Email', password: 'Password', name: 'Display name',
  country: 'Country of residence', language: 'Language', currency: 'Currency', release: 'Release date', developer: 'Developer', publisher: 'Publisher', editions: 'Editions',
  unavailable: 'Not available in your country', available: 'Available in your country', comingSoon: 'Coming soon', results: 'results', noResults: 'No games match. Try other words or fewer filters.',
  genre: 'Genre', priceRange: 'Price', released: 'Released', any: 'Any', min: 'Min', max: 'Max', apply: 'Apply', sort: 'Sort', relevance: 'Relevance', newest: 'Newest', priceLow: 'Lowest price',
  save: 'Save', shoppingFrom: 'Shopping from', about: 'About this game', tags: 'Tags', residenceNote: 'Your country of residence decides which games you can buy and in which currency.',
};
type Dict = typeof en;
const ko: Partial<Dict> = {
  search: '게임 검색', searchButton: '검색', newReleases: '신규 출시', upcoming: '출시 예정', popular: '인기 게임', genres: '장르별 보기', signIn: '로그인', signUp: '회원가입', signOut: '로그아웃',
  account: '계정', console: '운영자 콘솔', email: '이메일', password: '비밀번호', name: '닉네임', country: '거주 국가', language: '언어', currency: '통화', release: '출시일', developer: '개발사', publisher: '배급사',
  editions: '에디션', unavailable: '거주 국가에서 구매할 수 없습니다', available: '구매 가능', comingSoon: '출시 예정', results: '개 결과', noResults: '일치하는 게임이 없습니다.', genre: '장르', priceRange: '가격',
  released: '출시 상태', any: '전체', apply: '적용', sort: '정렬', relevance: '관련도', newest: '최신순', priceLow: '낮은 가격순', save: '저장', shoppingFrom: '쇼핑 국가', about: '게임 소개', tags: '태그',
};
const ja: Partial<Dict> = {
  search: 'ゲームを検索', searchButton: '検索', newReleases: '新着', upcoming: '近日発売', popular: '人気', genres: 'ジャンル', signIn: 'ログイン', signUp: 'アカウント作成', signOut: 'ログアウト',
  account: 'アカウント', console: '運営コンソール', email: 'メール', password: 'パスワード', name: '表示名', country: '居住国', language: '言語', currency: '通貨', release: '発売日', developer: '開発',
  publisher: '販売', editions: 'エディション', unavailable: 'お住まいの国では購入できません', available: '購入可能', comingSoon: '近日発売', results: '件', noResults: '該当するゲームはありません。',
  genre: 'ジャンル', priceRange: '価格', released: '発売状況', any: 'すべて', apply: '適用', sort: '並び順', relevance: '関連度', newest: '新しい順', priceLow: '安い順', save: '保存', shoppingFrom: 'ショップの国', about: 'このゲームについて', tags: 'タグ',
};
const dicts: Record<string, Partial<Dict>> = { en, ko, ja };

export function translator(language: string) {
  const d = dicts[language] ?? en;
  return (key: keyof Dict) => d[key] ?? en[key];
}
export type T = ReturnType<typeof translator>;
