// The retry policy (src/core/retry.ts) applied to the Kubernetes API as @kubernetes/client-node
// reports it: an ApiException carries the status and headers (Retry-After on 429/503), node-fetch
// a socket code or an AbortError (our per-request timeout, see connect.ts), the exec WebSocket
// "Unexpected server response: 503" or "Opening handshake has timed out".
import { AbortError, ApiException } from "@kubernetes/client-node";
import { networkTransient, statusTransient, withRetry, type RetryListener, type RetryPolicy, type Transient } from "../core/retry.js";
import { secondsSetting } from "../core/seconds.js";

export const KUBE_SERVICE = "Kubernetes API";

/**
 * How long one Kubernetes request may take, from sending it to the last byte of the answer (the
 * exec WebSocket: until the upgrade is answered). client-node 1.4 has no timeout of its own and
 * kubectl's `--request-timeout` defaults to 0 (none), so a stalled connection (a private cluster,
 * a firewall that drops packets) would hang for ever. 30 s, as kubectl users meet it: even with
 * `--request-timeout=0` kubectl's discovery requests give up after 32 s (client-go's discovery
 * default, kubernetes/kubernetes#103619), and the API server itself ends any request that is not
 * a watch or exec after 60 s (kube-apiserver `--request-timeout`, default 1m0s), so an answer not
 * complete in half that is a lost connection rather than a busy server.
 */
export const DEFAULT_KUBE_TIMEOUT_MS = 30_000;

/** Overrides the per-request timeout, in seconds (fractions allowed), like AKS_WI_VERIFY_*_TIMEOUT. */
export const KUBE_TIMEOUT_ENV = "AKS_WI_KUBE_TIMEOUT";

/** A request that timed out is retried at most this often: an API server that does not answer
 *  three times in a row is not a blip, and the user should not wait 7 × 30 s to hear so. */
const TIMEOUT_RETRIES = 2;

export interface KubeTimeoutOptions {
  /** Per-request timeout in ms (default AKS_WI_KUBE_TIMEOUT, else DEFAULT_KUBE_TIMEOUT_MS). */
  timeoutMs?: number;
}

/** The per-request timeout: the option, else AKS_WI_KUBE_TIMEOUT (seconds), else 30 s. A bad
 *  value is an input mistake. */
export function kubeTimeoutMs(o: KubeTimeoutOptions = {}, env: NodeJS.ProcessEnv = process.env): number {
  if (o.timeoutMs !== undefined) return o.timeoutMs;
  return secondsSetting(env[KUBE_TIMEOUT_ENV], {
    name: KUBE_TIMEOUT_ENV,
    defaultMs: DEFAULT_KUBE_TIMEOUT_MS,
    positive: true,
    example: `e.g. ${KUBE_TIMEOUT_ENV}=60, or unset it for 30 s`,
  });
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(1))} s`;

/** A Kubernetes request that got no (complete) answer within the per-request timeout. */
export class KubeTimeoutError extends Error {
  readonly code = "ETIMEDOUT";
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${seconds(timeoutMs)}`);
    this.name = "KubeTimeoutError";
  }
}

/** The timeout's AbortError (node-fetch) or ws's handshake timeout as a KubeTimeoutError; any
 *  other error as it is. Nothing else in aks-wi aborts a Kubernetes request. */
export function asKubeTimeout(e: unknown, timeoutMs: number): unknown {
  if (e instanceof AbortError || (e as { name?: unknown } | undefined)?.name === "AbortError") return new KubeTimeoutError(timeoutMs);
  const message = (e as { message?: unknown } | undefined)?.message;
  if (typeof message === "string" && /Opening handshake has timed out/.test(message)) return new KubeTimeoutError(timeoutMs);
  return e;
}

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  const hit = Object.entries(headers as Record<string, unknown>).find(([k]) => k.toLowerCase() === name);
  return typeof hit?.[1] === "string" ? hit[1] : undefined;
}

function retryAfterOf(e: unknown): string | undefined {
  const o = e as { retryAfter?: unknown; error?: { retryAfter?: unknown } } | undefined;
  const v = o?.retryAfter ?? o?.error?.retryAfter;
  return typeof v === "string" ? v : undefined;
}

/** A Kubernetes call's failure worth repeating, or undefined. */
export function kubeTransient(e: unknown): Transient | undefined {
  if (e instanceof KubeTimeoutError) return { reason: e.message, maxRetries: TIMEOUT_RETRIES };
  if (e instanceof ApiException) return statusTransient(e.code, header(e.headers, "retry-after"));
  const m = /Unexpected server response: (\d{3})/.exec((e as { message?: string } | undefined)?.message ?? "");
  // exec.ts keeps a refused upgrade's Retry-After on the error (a WebSocket ErrorEvent wraps it).
  if (m) return statusTransient(Number(m[1]), retryAfterOf(e));
  return networkTransient(e);
}

export interface KubeRetryOptions extends KubeTimeoutOptions {
  /** Gets one progress line per retry. */
  onRetry?: RetryListener;
  /** Overrides of the default policy (tests). */
  retryPolicy?: Partial<RetryPolicy>;
}

/** Runs one Kubernetes call under the retry policy; `fn` gets the attempt number (from 1). */
export function kubeRetry(o: KubeRetryOptions) {
  const timeoutMs = kubeTimeoutMs(o);
  return <T>(what: string, fn: (attempt: number) => Promise<T>, transientResult?: (v: T) => Transient | undefined): Promise<T> =>
    withRetry(
      async (attempt) => {
        try {
          return await fn(attempt);
        } catch (e) {
          throw asKubeTimeout(e, timeoutMs);
        }
      },
      { service: KUBE_SERVICE, what, transientError: kubeTransient, transientResult, onRetry: o.onRetry, policy: o.retryPolicy },
    );
}
