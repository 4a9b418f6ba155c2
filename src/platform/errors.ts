import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { messages, type Catalogue, type Values } from './messages.ts';

/**
 * An error the user (or client) caused and can fix: it becomes a 4xx with a stable machine-readable
 * code and a sentence that says what to do, in the reader's language when it comes from a catalogue
 * (`errorsFrom`); `message` is the English sentence. Anything else is a bug and becomes a logged 500.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    private readonly localized?: (language: string) => string,
  ) {
    super(message);
  }

  /** The sentence in `language` (English when the error has no catalogue). */
  in(language: string): string {
    return this.localized?.(language) ?? this.message;
  }
}

/** What a context calls a thing, per language ("This game", "이 게임", "このゲーム"); other languages read English. */
export type Noun = Record<'en' | 'ko' | 'ja', string> & Partial<Record<string, string>>;

export const inLanguage = (noun: Noun, language: string): string => noun[language.split('-')[0]!.toLowerCase()] ?? noun.en;

/** Values for a message in `language`: nouns become their word in it. */
export const valuesIn = (values: Record<string, Values[string] | Noun>, language: string): Values =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [k, typeof v === 'object' ? inLanguage(v, language) : v]));

/** A country's name in each language the store writes messages in ("Japan", "일본", "日本"). */
export const countryNoun = (code: string): Noun => {
  const name = (language: string) => new Intl.DisplayNames([language], { type: 'region' }).of(code) ?? code;
  return { en: name('en'), ko: name('ko'), ja: name('ja') };
};

/**
 * A context's user-facing errors from its message catalogue (ICU; en, ko and ja complete by type). The error's code
 * is the key up to its first dot: `request_pending.mutual` and `request_pending.asked` are two sentences of one code.
 */
export function errorsFrom<K extends string>(catalogue: Catalogue<K>) {
  const t = messages(catalogue);
  return (status: number, key: K, values: Record<string, Values[string] | Noun> = {}, details?: Record<string, unknown>) => {
    return new AppError(status, key.split('.')[0]!, t('en', key, valuesIn(values, 'en')), details, (language) =>
      t(language, key, valuesIn(values, language)),
    );
  };
}

const platformCatalogue = {
  en: {
    not_found: '{what} does not exist or is not visible to you.',
    invalid_field: '"{field}" is not a field the {where} accepts; remove it and send the request again.',
    invalid_request: 'The {where} is not valid: {problem}. Fix it and send the request again.',
    internal_error: 'Something went wrong on our side. It has been logged; please try again.',
    number_out_of_range: 'A number in this request is too large (at most 9007199254740991) or not finite.',
    invalid_text: 'Text may not contain the NUL character (U+0000). Remove it and try again.',
    json_too_deep: 'JSON may nest at most {max} levels deep.',
    invalid_url: 'The address is not validly encoded.',
    cross_site_request: 'This request came from another site and was refused.',
    too_many_attempts: 'Too many {what}. Try again in {seconds} seconds.',
    clock_out_of_range: 'Move the clock at most 10 years from today.',
    version_required:
      'Send the version you edited in an If-Match header (the ETag you got when you loaded it), so edits by others are not silently overwritten.',
    invalid_if_match: 'If-Match "{sent}" is not a version this API issued; use the ETag of what you loaded.',
  },
  ko: {
    not_found: '{what}: 존재하지 않거나 볼 수 있는 권한이 없습니다.',
    invalid_field: '"{field}"은(는) {where}에 허용되지 않는 필드입니다. 제거한 뒤 다시 보내 주세요.',
    invalid_request: '{where}이(가) 올바르지 않습니다: {problem}. 고친 뒤 다시 보내 주세요.',
    internal_error: '서버에서 문제가 발생했습니다. 기록해 두었으니 잠시 후 다시 시도해 주세요.',
    number_out_of_range: '요청에 너무 큰 숫자(최대 9007199254740991)나 유한하지 않은 숫자가 있습니다.',
    invalid_text: '텍스트에는 NUL 문자(U+0000)를 넣을 수 없습니다. 제거한 뒤 다시 시도해 주세요.',
    json_too_deep: 'JSON은 최대 {max}단계까지만 중첩할 수 있습니다.',
    invalid_url: '주소의 인코딩이 올바르지 않습니다.',
    cross_site_request: '다른 사이트에서 온 요청이라 거부했습니다.',
    too_many_attempts: '{what}이(가) 너무 많습니다. {seconds}초 후에 다시 시도해 주세요.',
    clock_out_of_range: '시계는 오늘로부터 최대 10년까지만 옮길 수 있습니다.',
    version_required: '편집한 버전을 If-Match 헤더로 보내 주세요(불러올 때 받은 ETag). 그래야 다른 사람의 변경을 모르고 덮어쓰지 않습니다.',
    invalid_if_match: 'If-Match "{sent}"은(는) 이 API가 발급한 버전이 아닙니다. 불러온 항목의 ETag를 사용해 주세요.',
  },
  ja: {
    not_found: '{what}は存在しないか、表示する権限がありません。',
    invalid_field: '「{field}」は{where}で受け付けないフィールドです。削除してからもう一度送信してください。',
    invalid_request: '{where}が正しくありません: {problem}。修正してからもう一度送信してください。',
    internal_error: 'サーバー側で問題が発生しました。記録しましたので、もう一度お試しください。',
    number_out_of_range: 'リクエストに大きすぎる数値(最大 9007199254740991)または有限でない数値が含まれています。',
    invalid_text: 'テキストに NUL 文字(U+0000)は使えません。削除してからもう一度お試しください。',
    json_too_deep: 'JSON の入れ子は最大 {max} 段までです。',
    invalid_url: 'アドレスのエンコードが正しくありません。',
    cross_site_request: '別のサイトからのリクエストのため拒否しました。',
    too_many_attempts: '{what}が多すぎます。{seconds} 秒後にもう一度お試しください。',
    clock_out_of_range: '時計を動かせるのは今日から最大 10 年までです。',
    version_required:
      '編集したバージョンを If-Match ヘッダーで送ってください(読み込んだときの ETag)。他の人の変更を知らずに上書きしないためです。',
    invalid_if_match: 'If-Match "{sent}" はこの API が発行したバージョンではありません。読み込んだものの ETag を使ってください。',
  },
};
const platformText = messages(platformCatalogue);

/** The platform's own errors (request shape, limits, versions), in the reader's language. */
export const platformError = errorsFrom(platformCatalogue);

export const notFound = (what: Noun, code = 'not_found') =>
  new AppError(404, code, platformText('en', 'not_found', { what: what.en }), undefined, (language) =>
    platformText(language, 'not_found', { what: inLanguage(what, language) }),
  );

export const ErrorBody = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const;

/** The Accept-Language header's first language the store writes messages in (en, ko, ja), else English. */
export function acceptedLanguage(header: string | undefined): string {
  for (const part of (header ?? '').split(',')) {
    const tag = part.split(';')[0]!.trim().split('-')[0]!.toLowerCase();
    if (tag === 'en' || tag === 'ko' || tag === 'ja') return tag;
  }
  return 'en';
}

/**
 * Errors become `{ error: { code, message, details? } }`: 4xx with the sentence in the reader's language
 * (`languageOf`: the profile's, the visitor's choice or Accept-Language), 500 for anything unexpected, logged.
 */
export function installErrorHandler(
  app: FastifyInstance,
  languageOf: (req: FastifyRequest) => Promise<string> = async (req) => acceptedLanguage(req.headers['accept-language']),
): void {
  app.setErrorHandler(async (err: FastifyError | AppError, req, reply) => {
    const language = await languageOf(req).catch(() => acceptedLanguage(req.headers['accept-language']));
    if (err instanceof AppError) {
      return reply
        .status(err.status)
        .send({ error: { code: err.code, message: err.in(language), ...(err.details ? { details: err.details } : {}) } });
    }
    if (err.validation) {
      const first = err.validation[0];
      const where = first?.instancePath
        ? `${err.validationContext ?? 'request'}${first.instancePath}`
        : (err.validationContext ?? 'request');
      const extra =
        first?.keyword === 'additionalProperties'
          ? String((first.params as { additionalProperty?: string }).additionalProperty)
          : undefined;
      return reply.status(400).send({
        error: {
          code: 'invalid_request',
          message: extra
            ? platformText(language, 'invalid_field', { field: extra, where })
            : platformText(language, 'invalid_request', { where, problem: first?.message ?? err.message }),
          details: { issues: err.validation.map((v) => ({ path: v.instancePath, message: v.message })) },
        },
      });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ error: { code: err.code?.toLowerCase() ?? 'bad_request', message: err.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal_error', message: platformText(language, 'internal_error') } });
  });
}
