/** What the client reports to an `onExchange` observer. */

/**
 * One HTTP exchange with yagna (one per attempt, retries included), reported to the optional
 * `onExchange` observer of {@link YagnaApiOptions}. It never holds headers nor the app key.
 */
export interface YagnaExchange {
  /** HTTP method. */
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The API the call went to. */
  readonly api: 'market' | 'activity' | 'payment' | 'identity' | 'root';
  /** The path template with its canonical base path, e.g. `/market-api/v1/demands/{subscriptionId}/events`. */
  readonly pathTemplate: string;
  /** The filled path parameters. */
  readonly params: Readonly<Record<string, string>>;
  /** The query parameters sent (an `authToken` from a configured URL is left out). */
  readonly query: Readonly<Record<string, string>>;
  /** The JSON request body, `undefined` when none was sent. */
  readonly requestBody: unknown;
  /** The HTTP status, `undefined` when no response arrived (network failure, timeout, abort). */
  readonly status: number | undefined;
  /** The `Content-Type` of the response, `''` when absent. */
  readonly contentType: string;
  /**
   * The response body: parsed JSON, the raw text when it is not JSON, `undefined` when empty or
   * when no response arrived, and `undefined` for an event stream (its events are not recorded).
   */
  readonly responseBody: unknown;
  /** 1 for the first attempt, 2 for the first retry… */
  readonly attempt: number;
}
