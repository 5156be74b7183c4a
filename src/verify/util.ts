// Small helpers shared by the checks: finding builders, shell quoting, FIC matching.
import type { FederatedCredentialInfo } from "../core/ports.js";
import { TOKEN_AUDIENCE, serviceAccountSubject } from "../core/workload-identity.js";
import type { CheckName, Facts, Finding, Status, TransientRead } from "./types.js";

export function finding(
  check: CheckName,
  status: Status,
  id: string,
  message: string,
  extra: Partial<Pick<Finding, "expected" | "actual" | "fix">> = {},
): Finding {
  const f: Finding = { check, id, status, message };
  if (extra.expected !== undefined) f.expected = extra.expected;
  if (extra.actual !== undefined) f.actual = extra.actual;
  if (extra.fix !== undefined) f.fix = extra.fix;
  return f;
}

/** Quotes a value for a POSIX shell command line only when it needs it. */
export function sh(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export const expectedSubject = (facts: Facts) => serviceAccountSubject(facts.target.namespace, facts.target.serviceAccount);

export const sameGuid = (a: string | undefined, b: string | undefined) => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

export const stripSlash = (s: string) => s.replace(/\/+$/, "");

/** The three fields Entra compares, byte for byte (issuer, subject) and as a set (audiences). */
export function ficMatches(f: FederatedCredentialInfo, issuer: string | undefined, subject: string): boolean {
  return (issuer === undefined || f.issuer === issuer) && f.subject === subject && f.audiences.length === 1 && f.audiences[0] === TOKEN_AUDIENCE;
}

/** The credential meant for this service account: an exact match, else the closest one (the
 *  state's by name, else the one agreeing on most fields), so a mismatch can be named field by field. */
export function pickCredential(facts: Facts): { fic?: FederatedCredentialInfo; exact: boolean } {
  const fics = facts.federatedCredentials ?? [];
  const issuer = facts.cluster?.issuerUrl;
  const subject = expectedSubject(facts);
  const exact = fics.find((f) => ficMatches(f, issuer, subject));
  if (exact) return { fic: exact, exact: true };
  const score = (f: FederatedCredentialInfo) =>
    (issuer && stripSlash(f.issuer) === stripSlash(issuer) ? 2 : 0) +
    (f.subject.toLowerCase() === subject.toLowerCase() ? 3 : f.subject.endsWith(`:${facts.target.serviceAccount}`) ? 2 : 0) +
    (f.audiences.includes(TOKEN_AUDIENCE) ? 1 : 0) +
    (facts.target.federatedCredentialName && f.name === facts.target.federatedCredentialName ? 4 : 0);
  const best = [...fics].sort((a, b) => score(b) - score(a))[0];
  return { fic: best, exact: false };
}

export const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : NaN);

/** Whether a read failed only transiently (through every retry). */
export const wasTransient = (facts: Facts, read: TransientRead) => !!facts.transient?.includes(read);

/** The finding of a check that could not be made: a service kept answering 429/5xx or dropping
 *  the connection through every retry. Nothing broken was seen, so it is never FAIL. */
export function couldNotCheck(
  check: CheckName,
  id: string,
  what: string,
  error: string | undefined,
  fix = "the service did not answer through the retries; re-run aks-wi verify in a minute",
): Finding {
  return finding(check, "UNKNOWN", id, `could not check (transient): ${what}${error ? `: ${error}` : ""}`, { fix });
}
