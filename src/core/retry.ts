// The one retry policy for the calls aks-wi makes itself: the Kubernetes API, Entra's token
// endpoint, ARM's permissions API with the workload's token, the cluster's OIDC issuer. (The Azure
// SDK clients keep their own pipeline policy.) Bounded exponential backoff with full jitter (each
// wait is uniform in [0, min(cap, base·2^n)]: "Exponential Backoff And Jitter", AWS Architecture
// Blog, 2015), a server's Retry-After honoured instead (RFC 9110 §10.2.3: delay-seconds or an
// HTTP-date), and one progress line per retry, never silence. Only what is safe to repeat comes
// here: reads, idempotent patches, creates whose callers treat AlreadyExists as done, token
// requests, and the exec handshake (before the command runs).
import { sleep as defaultSleep } from "./util.js";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Ceiling of the first wait; it doubles per retry up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After waited for; a longer one is cut to this. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 6, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 30_000 };

/** Why an attempt may be repeated: the reason the progress line names ("429", "ECONNRESET",
 *  "AADSTS90061") and the wait the server asked for. */
export interface Transient {
  reason: string;
  retryAfterMs?: number;
  /** Fewer retries for this kind than the policy's (a refused connection is a blip only so long). */
  maxRetries?: number;
}

export interface RetryEvent {
  service: string;
  what?: string;
  reason: string;
  /** 1 for the first retry. */
  retry: number;
  of: number;
  delayMs: number;
}

/** Receives each retry's progress line ("Kubernetes API 429, retry 2/6 in 1.5 s (reading pod a/b)"). */
export type RetryListener = (line: string, event: RetryEvent) => void;

export interface RetryOptions<T> {
  /** Names the service in the progress line: "Kubernetes API", "Entra token endpoint". */
  service: string;
  /** What the call does ("reading pod app/web"), appended to the progress line. */
  what?: string;
  /** A thrown error that may be repeated, or undefined to rethrow it at once. */
  transientError(e: unknown): Transient | undefined;
  /** An answer that may be repeated (for callers that return HTTP statuses instead of throwing).
   *  After the last retry the answer is returned as it is. */
  transientResult?(value: T): Transient | undefined;
  onRetry?: RetryListener;
  policy?: Partial<RetryPolicy>;
  sleep?(ms: number): Promise<void>;
  random?(): number;
}

/** The progress line of one retry. */
export function retryLine(e: RetryEvent): string {
  return `${e.service} ${e.reason}, retry ${e.retry}/${e.of} in ${(e.delayMs / 1000).toFixed(1)} s${e.what ? ` (${e.what})` : ""}`;
}

/** Runs `fn` (given the attempt number, from 1) until it succeeds, fails with something not
 *  transient, or the retries are spent. An error still transient at the end is rethrown with its
 *  reason in `transient` (see transientOf), so callers can tell "could not check" from "broken". */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, o: RetryOptions<T>): Promise<T> {
  const p = { ...DEFAULT_RETRY, ...o.policy };
  const sleep = o.sleep ?? defaultSleep;
  const random = o.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    let t: Transient | undefined;
    let failure: { error: unknown } | undefined;
    let value: T | undefined;
    try {
      value = await fn(attempt);
      t = o.transientResult?.(value);
      if (!t) return value;
    } catch (e) {
      t = o.transientError(e);
      if (!t) throw e;
      failure = { error: e };
    }
    const of = Math.min(p.retries, t.maxRetries ?? p.retries);
    if (attempt > of) {
      if (!failure) return value as T;
      throw markTransient(failure.error, t.reason);
    }
    const ceiling = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
    const delayMs = t.retryAfterMs !== undefined ? Math.min(Math.max(0, t.retryAfterMs), p.maxRetryAfterMs) : Math.round(random() * ceiling);
    const event: RetryEvent = { service: o.service, what: o.what, reason: t.reason, retry: attempt, of, delayMs };
    o.onRetry?.(retryLine(event), event);
    await sleep(delayMs);
  }
}

/** Records on an error that it was transient and stayed so after the retries. */
export function markTransient<E>(e: E, reason: string): E {
  if (e && typeof e === "object" && !Object.isFrozen(e)) (e as { transient?: string }).transient = reason;
  return e;
}

/** The reason an error was still transient after the retries (429, 5xx, a reset, a timeout), or
 *  undefined when it says something definite about what was asked. */
export function transientOf(e: unknown): string | undefined {
  const t = (e as { transient?: unknown } | undefined)?.transient;
  return typeof t === "string" ? t : undefined;
}

/** HTTP statuses worth repeating: timeouts, throttling and the server-side errors a retry can clear. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** Socket-level failures worth repeating (Node's and undici's codes). */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "ENETDOWN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** A refused connection is retried only this often: long enough for a restart blip, not so long
 *  that a wrong address keeps the user waiting. */
const REFUSED_RETRIES = 2;

/** Milliseconds a Retry-After value asks for: delay-seconds (fractions accepted) or an HTTP-date. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** An HTTP answer worth repeating, with the wait its Retry-After asks for. */
export function statusTransient(status: number | undefined, retryAfter?: string | string[]): Transient | undefined {
  if (status === undefined || !RETRY_STATUSES.has(status)) return undefined;
  return { reason: String(status), retryAfterMs: parseRetryAfter(retryAfter) };
}

/** A socket-level failure worth repeating: a reset, a refused connection, a timeout. Looks at the
 *  error, its cause (fetch wraps the socket error) and a WebSocket ErrorEvent's error. */
export function networkTransient(e: unknown): Transient | undefined {
  for (let x: unknown = e, depth = 0; x && typeof x === "object" && depth < 4; depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code === "ECONNREFUSED" ? { reason: code, maxRetries: REFUSED_RETRIES } : { reason: code };
    const message = (x as { message?: unknown }).message;
    if (typeof message === "string" && /socket hang up|network socket disconnected|other side closed/i.test(message)) return { reason: "ECONNRESET" };
    x = (x as { cause?: unknown }).cause ?? (x as { error?: unknown }).error;
  }
  return undefined;
}

/**
 * Entra (AADSTS) codes that mean "try again", from Microsoft's list of Entra error codes
 * (learn.microsoft.com/entra/identity-platform/reference-error-codes; MicrosoftDocs/entra-docs
 * docs/identity-platform/reference-error-codes.md): 40010 OAuth2IdPRetryableServerError, 90006
 * ExternalServerRetryableError, 90012 RequestTimeout, 90024 RequestBudgetExceededError ("a
 * transient error has occurred"), 90033 MsodsServiceUnavailable, 90055 TenantThrottlingError,
 * 90090 GraphRetryableError, 90091 GraphServiceUnreachable; and the issuer-fetch failures below.
 * Not 90036 (MsodsServiceUnretryableFailure) or 50196 (LoopDetected: a client bug).
 */
export const ENTRA_TRANSIENT_CODES: ReadonlySet<number> = new Set([40010, 90006, 90012, 90024, 90033, 90055, 90090, 90091]);

/**
 * "Request to External OIDC endpoint failed": Entra could not fetch the issuer's discovery
 * document or keys. Undocumented in Microsoft's list; the workload identity project documents
 * 90061 (Azure/azure-workload-identity docs/book/src/troubleshooting.md, PR #608) and users report
 * 50166 and 501661 "from time to time" on healthy clusters (azure-workload-identity#642,
 * Azure/AKS#4029). Transient when the issuer blips; lasting when the issuer is unreachable, which
 * verify tells apart by fetching the issuer itself.
 */
export const ISSUER_FETCH_CODES: ReadonlySet<number> = new Set([90061, 50166, 501661]);

/** An Entra answer worth repeating: a transient AADSTS code. */
export function entraTransient(aadsts: number | undefined): Transient | undefined {
  if (aadsts === undefined || !(ENTRA_TRANSIENT_CODES.has(aadsts) || ISSUER_FETCH_CODES.has(aadsts))) return undefined;
  return { reason: `AADSTS${aadsts}` };
}
