import type { FastifyError, FastifyInstance } from 'fastify';

/**
 * An error the user (or client) caused and can fix: it becomes a 4xx with a stable machine-readable
 * code and a sentence that says what to do. Anything else is a bug and becomes a logged 500.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export const notFound = (what: string, code = 'not_found') => new AppError(404, code, `${what} does not exist or is not visible to you.`);

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

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      return reply
        .status(err.status)
        .send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
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
            ? `"${extra}" is not a field the ${where} accepts; remove it and send the request again.`
            : `The ${where} is not valid: ${first?.message ?? err.message}. Fix it and send the request again.`,
          details: { issues: err.validation.map((v) => ({ path: v.instancePath, message: v.message })) },
        },
      });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ error: { code: err.code?.toLowerCase() ?? 'bad_request', message: err.message } });
    }
    req.log.error({ err }, 'unhandled error');
    return reply
      .status(500)
      .send({ error: { code: 'internal_error', message: 'Something went wrong on our side. It has been logged; please try again.' } });
  });
}
