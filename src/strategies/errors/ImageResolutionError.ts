import { redactText } from '../../api/scrub.js';
import { GolemRxError, errorGuard } from '../../errors/GolemRxError.js';

/**
 * `vmPackage` could not resolve an image through the image registry
 * (`GET <registry>/v1/image/info?tag=…` or `?hash=…`): the registry answered with an error status
 * (`status`, e.g. 404 for an unknown tag), answered something that is not `{ sha3, http }`, or could
 * not be reached (the network error, or the abort reason, is the `cause`).
 *
 * @example
 * ```ts
 * await vmPackage({ imageTag: 'golem/alpine:latest' }).catch((error: unknown) => {
 *   if (isImageResolutionError(error) && error.status === 404) console.error('no such image');
 *   throw error;
 * });
 * ```
 */
export class ImageResolutionError extends GolemRxError {
  override readonly name = 'ImageResolutionError' as const;
  /** The registry asked. */
  readonly registryUrl: string;
  /** The tag looked up, if by tag. */
  readonly tag: string | undefined;
  /** The hash looked up, if by hash. */
  readonly hash: string | undefined;
  /** The registry's HTTP status, when it answered with an error. */
  readonly status: number | undefined;

  constructor(
    context: { registryUrl: string; tag?: string; hash?: string; status?: number; detail: string },
    options?: { cause?: unknown },
  ) {
    const what = context.tag !== undefined ? `tag ${context.tag}` : `hash ${context.hash ?? '(none)'}`;
    // an `authToken` in the registry URL stays out of the message
    super(
      `Could not resolve image ${what} at ${redactText(context.registryUrl, [])}: ${context.detail}`,
      options,
    );
    this.registryUrl = context.registryUrl;
    this.tag = context.tag;
    this.hash = context.hash;
    this.status = context.status;
  }
}

/** Is `err` an {@link ImageResolutionError} (by class, or by name across realms)? */
export const isImageResolutionError = errorGuard(ImageResolutionError, 'ImageResolutionError');
