/**
 * A Golem-style image registry, so that packages named by tag resolve locally:
 * `GET /v1/image/info?tag=golem/alpine:latest` (or `?hash=<sha3>`) → `{ sha3, http, https }`,
 * and the image itself at `GET /v1/image/download/<sha3>` (also `?hash=<sha3>`). The hash is
 * the SHA3-224 of the bytes, as for real `.gvmi` images. No TLS: `https` repeats the http URL.
 * No app key is needed, as for the real registry.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { queryParam } from './http.js';

/** Tags every devnet serves. */
export const BUILT_IN_IMAGES: readonly string[] = [
  'golem/alpine:latest',
  'golem/node:20-alpine',
  'golem/node:latest',
  'golem/python:latest',
  'golem/examples-outbound:latest',
];

interface Image {
  readonly tag: string;
  readonly sha3: string;
  readonly bytes: Buffer;
}

/** The images of one devnet. */
export class ImageRegistry {
  private readonly byTag = new Map<string, Image>();
  private readonly byHash = new Map<string, Image>();

  /** @param extra tag → image bytes (a string is taken as UTF-8), added to the built-in tags. */
  constructor(extra: Readonly<Record<string, string | Uint8Array>> = {}) {
    for (const tag of BUILT_IN_IMAGES) this.add(tag, `devnet image ${tag}\n`.repeat(64));
    for (const [tag, content] of Object.entries(extra)) this.add(tag, content);
  }

  /** The registered tags. */
  tags(): string[] {
    return [...this.byTag.keys()];
  }

  /** The SHA3-224 of a tag's image, if registered. */
  hashOf(tag: string): string | undefined {
    return this.byTag.get(tag)?.sha3;
  }

  /** Registers the routes (public: no app key). */
  register(app: FastifyInstance): void {
    app.get('/v1/image/info', async (request, reply) => {
      const tag = queryParam(request, 'tag');
      const hash = queryParam(request, 'hash');
      const image =
        tag !== undefined ? this.byTag.get(tag) : hash !== undefined ? this.byHash.get(hash) : undefined;
      if (image === undefined) {
        return reply
          .code(404)
          .type('text/plain')
          .send(`image not found: ${tag ?? hash ?? '(no tag or hash)'}`);
      }
      const url = `${baseUrl(request)}/v1/image/download/${image.sha3}`;
      return { sha3: image.sha3, http: url, https: url, tag: image.tag };
    });
    const download = async (hash: string | undefined, reply: FastifyReply) => {
      const image = hash === undefined ? undefined : this.byHash.get(hash);
      if (image === undefined) return reply.code(404).type('text/plain').send('image not found');
      return reply.type('application/octet-stream').send(image.bytes);
    };
    app.get<{ Params: { hash: string } }>('/v1/image/download/:hash', async (request, reply) =>
      download(request.params.hash, reply),
    );
    app.get('/v1/image/download', async (request, reply) => download(queryParam(request, 'hash'), reply));
  }

  private add(tag: string, content: string | Uint8Array): void {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
    const sha3 = createHash('sha3-224').update(bytes).digest('hex');
    const image: Image = { tag, sha3, bytes };
    this.byTag.set(tag, image);
    this.byHash.set(sha3, image);
  }
}

function baseUrl(request: FastifyRequest): string {
  const host = request.headers.host ?? `${request.hostname}`;
  return `${request.protocol}://${host}`;
}
