import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import multipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import { ErrorBody } from '../platform/errors.ts';
import { catalogError } from './errors.ts';
import { newId } from '../platform/ids.ts';
import type { Guards } from '../accounts/guards.ts';

/** Recognises an image by its first bytes, never by the name or the declared type. */
export function imageType(head: Buffer): 'png' | 'jpg' | 'webp' | 'gif' | undefined {
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpg';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif';
  return undefined;
}

/** Cover and screenshot uploads by operators, stored under DATA_DIR/media and served from /media/. */
export async function mediaRoutes(app: FastifyInstance, deps: { guards: Guards; mediaDir: string; maxBytes: number }) {
  const dir = resolve(deps.mediaDir);
  mkdirSync(dir, { recursive: true });
  await app.register(multipart, { limits: { fileSize: deps.maxBytes, files: 1 } });
  await app.register(fastifyStatic, { root: dir, prefix: '/media/', decorateReply: false, immutable: true, maxAge: '365d' });

  app.post(
    '/api/operator/media',
    {
      schema: {
        tags: ['operator'],
        summary: 'Upload a cover image or screenshot (PNG, JPEG, WebP or GIF); returns its URL',
        consumes: ['multipart/form-data'],
        response: { 201: Type.Object({ url: Type.String() }), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 413: ErrorBody },
      },
    },
    async (req, reply) => {
      await deps.guards.requireOperator(req);
      if (!req.isMultipart()) throw catalogError(400, 'multipart_required');
      const file = await req.file();
      if (!file) throw catalogError(400, 'file_required');
      const data = await file.toBuffer().catch(() => {
        throw catalogError(413, 'file_too_large', { mb: Math.round(deps.maxBytes / 1024 / 1024) });
      });
      const type = imageType(data);
      if (!type) throw catalogError(400, 'unsupported_image');
      const name = `${newId()}.${type}`;
      await writeFile(join(dir, name), data);
      return reply.status(201).send({ url: `/media/${name}` });
    },
  );
}
