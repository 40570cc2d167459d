/**
 * The storage port: where `transfer` commands get their requestor-side URLs. The provider's
 * exe-unit reads an upload from a URL (`transfer { from: url, to: 'container:/path' }`) and writes
 * a download to one (`transfer { from: 'container:/path', to: url }`); a storage makes those URLs
 * and hands over what arrives. `golem-rx/storage`'s `StorageServer` (an HTTP server the provider
 * must reach) and `GsbStorage` (yagna's GSB websocket API, no port of ours reachable from outside)
 * implement it; a rental takes one as its `storage` option, so the browser-safe core never imports
 * either.
 *
 * An adapter at the edge: its methods return Promises (files and sockets live there); the rental
 * wraps them in Observables and closes every URL when its transfer has ended, whatever the outcome.
 *
 * @module
 */

/** Options of one storage call. */
export interface TransferCallOptions {
  /** Aborts making the URL (e.g. a call to yagna in flight). */
  readonly signal?: AbortSignal;
}

/** One URL a storage made for one transfer: what to give the provider, and how to withdraw it. */
export interface TransferUrl {
  /** The URL of the transfer command's `from` (an upload) or `to` (a download). */
  readonly url: string;
  /** Withdraws the URL (idempotent): what it served or awaited is forgotten. */
  close(): void;
}

/** A URL the provider uploads one file to, and what arrives there. */
export interface IncomingTransfer<T> extends TransferUrl {
  /**
   * Settles when the provider's upload has been received in full: the bytes (`receiveBytes`), or
   * nothing once the file is written (`receiveFile`); rejects when receiving fails. The storage
   * handles its rejection itself (it is read after the transfer command ended, so it must never
   * be an unhandled rejection meanwhile).
   */
  readonly received: Promise<T>;
}

/**
 * Where transfers get their URLs. Each method makes one URL for one transfer; the caller closes
 * it when the transfer has ended.
 */
export interface TransferStorage {
  /** Serves `bytes` at a new URL, for the provider to download (an upload of ours). */
  publishBytes(bytes: Uint8Array, options?: TransferCallOptions): Promise<TransferUrl>;
  /**
   * Serves the local file `path` at a new URL. Rejects when the file cannot be read (the HTTP
   * server with `LocalPathError`, before it makes a URL).
   */
  publishFile(path: string, options?: TransferCallOptions): Promise<TransferUrl>;
  /** A new URL the provider uploads to; `received` gives the bytes. */
  receiveBytes(options?: TransferCallOptions): Promise<IncomingTransfer<Uint8Array>>;
  /**
   * A new URL the provider uploads to; what arrives is written to the local file `path`. Rejects
   * when the file cannot be written there (e.g. its directory does not exist).
   */
  receiveFile(path: string, options?: TransferCallOptions): Promise<IncomingTransfer<void>>;
}
