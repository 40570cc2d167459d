/**
 * The VM payload of a demand, as yapapi's `vm.repo()`: the image (resolved through an image
 * registry when named by tag) and the minimum resources, as demand properties and constraints.
 *
 * This is an adapter at the edge: it speaks HTTP with `fetch` and waits in real time (the registry
 * lookup's `timeout`), not through an RxJS scheduler. Resolve the payload once, then create the
 * demand with it.
 *
 * @module
 */
import type { Properties } from '../api/types/index.js';
import { ImageResolutionError } from './errors/ImageResolutionError.js';
import type { DemandPayload } from '../resources/payload.js';

/** Golem's public image registry. */
export const GOLEM_REGISTRY_URL = 'https://registry.golem.network';

/** The demand properties and constraint keys of a VM payload. */
export const VM_PROPERTY = {
  taskPackage: 'golem.srv.comp.task_package',
  packageFormat: 'golem.srv.comp.vm.package_format',
  runtimeName: 'golem.runtime.name',
  memGib: 'golem.inf.mem.gib',
  storageGib: 'golem.inf.storage.gib',
  cpuThreads: 'golem.inf.cpu.threads',
  capabilities: 'golem.runtime.capabilities',
} as const;

/**
 * A VM payload: what `node.createDemand({ payload })` / `node.demand$({ payload })` take (a
 * `DemandPayload` whose properties and constraints are always set).
 */
export interface VmPayload extends DemandPayload {
  /** `golem.srv.comp.task_package` (`hash:sha3:<hex>:<url>`) and `golem.srv.comp.vm.package_format`. */
  readonly properties: Readonly<Properties>;
  /** One clause each: runtime, memory, storage, threads, capabilities. */
  readonly constraints: readonly string[];
}

/** An image named by its content hash and where to download it. */
export interface ResolvedImage {
  /** The SHA3 hash of the image, hex. */
  readonly hash: string;
  /** Its download URL. */
  readonly url: string;
}

/** The options of {@link vmPackage}: the image by hash or tag, and the minimum resources. */
export interface VmPackageOptions extends ImageRegistryOptions {
  /** The image's SHA3 hash (hex). Exactly one of `imageHash` and `imageTag` is required. */
  readonly imageHash?: string;
  /** The image's tag in the registry, e.g. `golem/alpine:latest`. */
  readonly imageTag?: string;
  /** The image's download URL; with `imageHash`, the registry is not asked. */
  readonly imageUrl?: string;
  /** @default 0.5 */
  readonly minMemGib?: number;
  /** @default 2.0 */
  readonly minStorageGib?: number;
  /** @default undefined (no constraint) */
  readonly minCpuThreads?: number;
  /** Runtime capabilities the provider must have, e.g. `['vpn']`. @default [] */
  readonly capabilities?: readonly string[];
}

/** How to reach the image registry. */
export interface ImageRegistryOptions {
  /**
   * The registry's base URL (devnet serves one at its own URL).
   * @default process.env.GOLEM_REGISTRY_URL, else `https://registry.golem.network`
   */
  readonly registryUrl?: string;
  /** Take the registry's `https` download URL instead of `http`. @default false */
  readonly useHttps?: boolean;
  /** The `fetch` to use. @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** Aborts the lookup. */
  readonly signal?: AbortSignal;
  /** Real-time limit of the lookup in ms, then it fails with `ImageResolutionError`. @default 30000 */
  readonly timeout?: number;
}

const HEX = /^[0-9a-fA-F]+$/;

function clause(key: string, op: '=' | '>=', value: string | number): string {
  return `(${key}${op}${String(value)})`;
}

function checkMinimum(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`vmPackage: ${name} must be a finite number >= 0, got ${String(value)}`);
  }
}

/**
 * Builds the payload of a VM demand: resolves the image (by tag, or by hash when no URL is given)
 * through the image registry, then sets `golem.srv.comp.task_package` = `hash:sha3:<hex>:<url>` and
 * `golem.srv.comp.vm.package_format` = `gvmkit-squash`, and constrains `golem.runtime.name=vm`,
 * memory, storage, threads and capabilities.
 *
 * @param options - see {@link VmPackageOptions}.
 * @returns the payload, once the image is resolved.
 * @throws {TypeError} (rejects) unless exactly one of `imageHash` / `imageTag` is given, or on a
 * malformed hash; {@link ImageResolutionError} when the registry cannot resolve the image;
 * `RangeError` on a negative minimum. Aborting `signal` rejects with `ImageResolutionError` whose
 * `cause` is the abort reason.
 *
 * @example
 * ```ts
 * const payload = await vmPackage({ imageTag: 'golem/alpine:latest', minMemGib: 1, registryUrl: devnet.url });
 * node.demand$({ payload, allocations: [allocation] }).pipe(score(leastExpensiveLinearPayu()), negotiate(2));
 * ```
 */
export async function vmPackage(options: VmPackageOptions): Promise<VmPayload> {
  const { imageHash, imageTag, imageUrl } = options;
  if ((imageHash === undefined) === (imageTag === undefined)) {
    throw new TypeError('vmPackage: exactly one of imageHash and imageTag is required');
  }
  if (imageHash !== undefined && !HEX.test(imageHash)) {
    throw new TypeError(`vmPackage: imageHash must be hex, got ${JSON.stringify(imageHash)}`);
  }
  const minMemGib = options.minMemGib ?? 0.5;
  const minStorageGib = options.minStorageGib ?? 2.0;
  checkMinimum('minMemGib', minMemGib);
  checkMinimum('minStorageGib', minStorageGib);
  checkMinimum('minCpuThreads', options.minCpuThreads);

  const image: ResolvedImage =
    imageHash !== undefined && imageUrl !== undefined
      ? { hash: imageHash, url: imageUrl }
      : await resolveImage(imageTag !== undefined ? { tag: imageTag } : { hash: imageHash! }, options);
  const url = imageUrl ?? image.url;
  const constraints = [
    clause(VM_PROPERTY.runtimeName, '=', 'vm'),
    clause(VM_PROPERTY.memGib, '>=', minMemGib),
    clause(VM_PROPERTY.storageGib, '>=', minStorageGib),
    ...(options.minCpuThreads === undefined
      ? []
      : [clause(VM_PROPERTY.cpuThreads, '>=', options.minCpuThreads)]),
    ...(options.capabilities ?? []).map((cap) => clause(VM_PROPERTY.capabilities, '=', cap)),
  ];
  return {
    properties: {
      [VM_PROPERTY.taskPackage]: `hash:sha3:${image.hash}:${url}`,
      [VM_PROPERTY.packageFormat]: 'gvmkit-squash',
    },
    constraints,
  };
}

/**
 * Looks an image up in the registry: `GET <registry>/v1/image/info?tag=…` (or `?hash=…`), which
 * answers `{ sha3, http, https }`.
 *
 * @throws {ImageResolutionError} on an error status (404: unknown image), a malformed answer, a
 * network failure, the timeout or an abort.
 *
 * @example
 * ```ts
 * const { hash, url } = await resolveImage({ tag: 'golem/alpine:latest' }, { registryUrl: devnet.url });
 * ```
 */
export async function resolveImage(
  image: { readonly tag: string } | { readonly hash: string },
  options: ImageRegistryOptions = {},
): Promise<ResolvedImage> {
  const registryUrl = (
    options.registryUrl ??
    (typeof process === 'undefined' ? undefined : process.env['GOLEM_REGISTRY_URL']) ??
    GOLEM_REGISTRY_URL
  ).replace(/\/+$/, '');
  const tag = 'tag' in image ? image.tag : undefined;
  const hash = 'hash' in image ? image.hash : undefined;
  const fail = (detail: string, extra: { status?: number; cause?: unknown } = {}): ImageResolutionError =>
    new ImageResolutionError(
      { registryUrl, ...(tag === undefined ? { hash } : { tag }), status: extra.status, detail },
      { cause: extra.cause },
    );
  const query = tag !== undefined ? `tag=${encodeURIComponent(tag)}` : `hash=${encodeURIComponent(hash!)}`;
  const signals = [AbortSignal.timeout(options.timeout ?? 30_000)];
  if (options.signal) signals.push(options.signal);
  const doFetch = options.fetch ?? globalThis.fetch;
  let body: unknown;
  try {
    // The body is read inside the try, so that the abort covers it.
    const response = await doFetch(`${registryUrl}/v1/image/info?${query}`, {
      signal: AbortSignal.any(signals),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) {
      const text = await response.text();
      throw fail(`HTTP ${response.status}${text === '' ? '' : `: ${text.slice(0, 200)}`}`, {
        status: response.status,
      });
    }
    body = await response.json();
  } catch (error: unknown) {
    if (error instanceof ImageResolutionError) throw error;
    throw fail(error instanceof Error ? error.message : 'request failed', { cause: error });
  }
  const info = body as { sha3?: unknown; http?: unknown; https?: unknown } | null;
  const url = options.useHttps ? info?.https : info?.http;
  if (typeof info?.sha3 !== 'string' || !HEX.test(info.sha3) || typeof url !== 'string' || url === '') {
    throw fail(`unexpected answer ${JSON.stringify(body).slice(0, 200)}`);
  }
  return { hash: info.sha3, url };
}
