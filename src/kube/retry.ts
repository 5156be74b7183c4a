// The retry policy (src/core/retry.ts) applied to the Kubernetes API as @kubernetes/client-node
// reports it: an ApiException carries the status and headers (Retry-After on 429/503), node-fetch
// a socket code, the exec WebSocket "Unexpected server response: 503".
import { ApiException } from "@kubernetes/client-node";
import { networkTransient, statusTransient, withRetry, type RetryListener, type RetryPolicy, type Transient } from "../core/retry.js";

export const KUBE_SERVICE = "Kubernetes API";

function header(headers: unknown, name: string): string | undefined {
  if (!headers || typeof headers !== "object") return undefined;
  const hit = Object.entries(headers as Record<string, unknown>).find(([k]) => k.toLowerCase() === name);
  return typeof hit?.[1] === "string" ? hit[1] : undefined;
}

/** A Kubernetes call's failure worth repeating, or undefined. */
export function kubeTransient(e: unknown): Transient | undefined {
  if (e instanceof ApiException) return statusTransient(e.code, header(e.headers, "retry-after"));
  const m = /Unexpected server response: (\d{3})/.exec((e as { message?: string } | undefined)?.message ?? "");
  if (m) return statusTransient(Number(m[1]));
  return networkTransient(e);
}

export interface KubeRetryOptions {
  /** Gets one progress line per retry. */
  onRetry?: RetryListener;
  /** Overrides of the default policy (tests). */
  retryPolicy?: Partial<RetryPolicy>;
}

/** Runs one Kubernetes call under the retry policy; `fn` gets the attempt number (from 1). */
export function kubeRetry(o: KubeRetryOptions) {
  return <T>(what: string, fn: (attempt: number) => Promise<T>, transientResult?: (v: T) => Transient | undefined): Promise<T> =>
    withRetry(fn, { service: KUBE_SERVICE, what, transientError: kubeTransient, transientResult, onRetry: o.onRetry, policy: o.retryPolicy });
}
