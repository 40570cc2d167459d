/**
 * Wire types shared by every yagna API. Field names follow yagna's JSON exactly
 * (see shared/yagna-api/REQUESTOR-GUIDE.md). Amounts on the wire are decimal strings;
 * the client layer converts them to `Decimal`.
 */

/** `ErrorMessage`: yagna's JSON error body. `message` may be absent or `null`. */
export interface ErrorMessageDto {
  message?: string | null;
}

/** `Reason`: a required message plus arbitrary extra keys (e.g. `golem.provider.code`). */
export interface ReasonDto {
  message: string;
  [key: string]: unknown;
}

/** An RFC 3339 timestamp as sent by yagna, e.g. `2024-05-28T15:00:01.123456Z`. */
export type Timestamp = string;

/** A decimal amount as sent on the wire, e.g. `"0.0123"`. Never a JSON number. */
export type DecimalString = string;

/** Flat property map of a demand, offer or proposal: dotted keys to JSON values. */
export type Properties = Record<string, unknown>;

/** `GET /me` */
export interface IdentityDto {
  identity: string;
  name: string;
  role: string;
}

/** `GET /version/get` */
export interface VersionDto {
  current: {
    version: string;
    name: string;
    seen: boolean;
    releaseTs: Timestamp;
    insertionTs?: Timestamp;
    updateTs?: Timestamp;
  };
  pending: VersionDto['current'] | null;
}
