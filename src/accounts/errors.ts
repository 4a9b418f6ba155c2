import { errorsFrom } from '../platform/errors.ts';

/** What accounts say when a request cannot be done, per language. */
export const accountError = errorsFrom({
  en: {
    unknown_country: '"{country}" is not an ISO 3166-1 country code; choose your country of residence from the list.',
    not_signed_in: 'Your session has ended. Sign in again.',
    'not_signed_in.required': 'Sign in to do this.',
    same_residence: 'This is already your country of residence.',
    residence_change_too_soon: 'You can change your country of residence once every {days} days; the next change is possible on {next}.',
    'residence_proof_required.from':
      'To move your residence to {country}, change it while connected from there (this connection is from {from}).',
    'residence_proof_required.unknown':
      'To move your residence to {country}, change it while connected from there (the country of this connection is unknown).',
    unknown_time_zone: '"{zone}" is not an IANA time zone (for example Asia/Seoul or Europe/Berlin).',
    unsupported_language: '"{language}" is not a language the store supports yet.',
    unknown_currency: '"{currency}" is not an ISO 4217 currency code.',
    residence_not_where_you_are: 'You are connecting from {from}: sign up with the country you live in, from there.',
    email_taken: 'An account with this email already exists. Sign in instead, or use another email.',
    operator_only: 'Only store operators can do this. Ask an operator to give your account the operator role.',
    two_factor_required: 'Operators must turn on two-factor authentication first: open your account page and set up an authenticator app.',
    invalid_refresh_token: 'This refresh token is not valid (unknown, expired or revoked). Sign in again.',
    refresh_token_reused: 'This refresh token was already used, so every token of this sign-in is now revoked. Sign in again.',
    token_expired: 'The access token has expired: get a new one with your refresh token.',
    invalid_token: 'The access token is not valid.',
    'invalid_token.use': 'The access token is not valid: use one from POST /api/tokens.',
    password_breached: 'This password has appeared {times, number} times in data breaches, so attackers try it first. Choose another one.',
    password_too_guessable:
      'This password is among the first ones attackers try (a common word with digits, a sequence, or too few different characters). Choose a longer phrase of unrelated words.',
    session_required: 'Tokens are issued to a signed-in session; use your refresh token to get a new access token.',
  },
  ko: {
    unknown_country: '"{country}"은(는) ISO 3166-1 국가 코드가 아닙니다. 목록에서 거주 국가를 골라 주세요.',
    not_signed_in: '세션이 끝났습니다. 다시 로그인해 주세요.',
    'not_signed_in.required': '로그인해야 할 수 있습니다.',
    same_residence: '이미 거주 국가로 설정되어 있습니다.',
    residence_change_too_soon: '거주 국가는 {days}일에 한 번만 바꿀 수 있습니다. 다음 변경 가능일은 {next}입니다.',
    'residence_proof_required.from': '거주 국가를 {country}(으)로 옮기려면 그곳에서 접속한 상태로 바꿔 주세요(현재 접속 위치: {from}).',
    'residence_proof_required.unknown':
      '거주 국가를 {country}(으)로 옮기려면 그곳에서 접속한 상태로 바꿔 주세요(현재 접속 국가를 알 수 없습니다).',
    unknown_time_zone: '"{zone}"은(는) IANA 시간대가 아닙니다(예: Asia/Seoul, Europe/Berlin).',
    unsupported_language: '"{language}"은(는) 아직 스토어가 지원하지 않는 언어입니다.',
    unknown_currency: '"{currency}"은(는) ISO 4217 통화 코드가 아닙니다.',
    residence_not_where_you_are: '{from}에서 접속하고 있습니다. 실제로 거주하는 국가에서, 그 국가로 가입해 주세요.',
    email_taken: '이 이메일로 된 계정이 이미 있습니다. 로그인하거나 다른 이메일을 사용해 주세요.',
    operator_only: '스토어 운영자만 할 수 있습니다. 운영자에게 계정에 운영자 역할을 달라고 요청해 주세요.',
    two_factor_required: '운영자는 먼저 2단계 인증을 켜야 합니다. 계정 페이지에서 인증 앱을 설정해 주세요.',
    invalid_refresh_token: '유효하지 않은 갱신 토큰입니다(알 수 없음, 만료 또는 폐기). 다시 로그인해 주세요.',
    refresh_token_reused: '이미 사용된 갱신 토큰이라 이 로그인의 모든 토큰을 폐기했습니다. 다시 로그인해 주세요.',
    token_expired: '액세스 토큰이 만료되었습니다. 갱신 토큰으로 새 토큰을 받아 주세요.',
    invalid_token: '유효하지 않은 액세스 토큰입니다.',
    'invalid_token.use': '유효하지 않은 액세스 토큰입니다. POST /api/tokens에서 받은 토큰을 사용해 주세요.',
    password_breached:
      '이 비밀번호는 데이터 유출에서 {times, number}번 발견되어 공격자가 가장 먼저 시도합니다. 다른 비밀번호를 골라 주세요.',
    password_too_guessable:
      '이 비밀번호는 공격자가 가장 먼저 시도하는 종류입니다(흔한 단어와 숫자, 연속된 문자, 또는 너무 적은 종류의 문자). 서로 관계없는 단어로 된 더 긴 문구를 골라 주세요.',
    session_required: '토큰은 로그인한 세션에만 발급됩니다. 갱신 토큰으로 새 액세스 토큰을 받아 주세요.',
  },
  ja: {
    unknown_country: '「{country}」は ISO 3166-1 の国コードではありません。一覧からお住まいの国を選んでください。',
    not_signed_in: 'セッションが終了しました。もう一度サインインしてください。',
    'not_signed_in.required': 'この操作にはサインインが必要です。',
    same_residence: 'すでにお住まいの国として設定されています。',
    residence_change_too_soon: 'お住まいの国は {days} 日に 1 回だけ変更できます。次に変更できるのは {next} です。',
    'residence_proof_required.from': 'お住まいの国を{country}に移すには、その国から接続して変更してください(現在の接続元: {from})。',
    'residence_proof_required.unknown':
      'お住まいの国を{country}に移すには、その国から接続して変更してください(現在の接続元の国は不明です)。',
    unknown_time_zone: '「{zone}」は IANA のタイムゾーンではありません(例: Asia/Seoul、Europe/Berlin)。',
    unsupported_language: '「{language}」はまだストアが対応していない言語です。',
    unknown_currency: '「{currency}」は ISO 4217 の通貨コードではありません。',
    residence_not_where_you_are: '{from}から接続しています。お住まいの国から、その国で登録してください。',
    email_taken: 'このメールアドレスのアカウントはすでにあります。サインインするか、別のメールアドレスを使ってください。',
    operator_only: 'この操作はストアの運営者だけができます。運営者にあなたのアカウントへ運営者ロールを付けてもらってください。',
    two_factor_required: '運営者はまず二要素認証を有効にしてください。アカウントページで認証アプリを設定できます。',
    invalid_refresh_token: 'このリフレッシュトークンは無効です(不明、期限切れ、または取り消し済み)。もう一度サインインしてください。',
    refresh_token_reused:
      'このリフレッシュトークンはすでに使われたため、このサインインのトークンをすべて取り消しました。もう一度サインインしてください。',
    token_expired: 'アクセストークンの有効期限が切れました。リフレッシュトークンで新しいものを取得してください。',
    invalid_token: 'アクセストークンが無効です。',
    'invalid_token.use': 'アクセストークンが無効です。POST /api/tokens で取得したものを使ってください。',
    password_breached:
      'このパスワードはデータ漏えいで {times, number} 回見つかっており、攻撃者が最初に試します。別のパスワードを選んでください。',
    password_too_guessable:
      'このパスワードは攻撃者が最初に試す種類です(よくある単語と数字、連続した文字、または文字の種類が少なすぎる)。関係のない単語を並べた長いフレーズを選んでください。',
    session_required:
      'トークンはサインイン中のセッションにだけ発行されます。リフレッシュトークンで新しいアクセストークンを取得してください。',
  },
});
