// All checks in their fixed order, and the verdict over their findings.
import { checkAccess } from "./check-access.js";
import { checkCluster } from "./check-cluster.js";
import { checkExchange } from "./check-exchange.js";
import { checkIdentity } from "./check-identity.js";
import { checkPod } from "./check-pod.js";
import { checkServiceAccount } from "./check-service-account.js";
import { checkToken } from "./check-token.js";
import { CHECK_ORDER, type CheckName, type Facts, type Finding, type Status } from "./types.js";

const CHECKS: Record<CheckName, (f: Facts) => Finding[]> = {
  cluster: checkCluster,
  serviceAccount: checkServiceAccount,
  identity: checkIdentity,
  pod: checkPod,
  token: checkToken,
  exchange: checkExchange,
  access: checkAccess,
};

export function runChecks(facts: Facts): Finding[] {
  return CHECK_ORDER.flatMap((c) => CHECKS[c](facts));
}

const RANK: Record<Status, number> = { PASS: 0, SKIP: 1, WARN: 2, UNKNOWN: 3, FAIL: 4 };

/** The worst status among findings (PASS when there are none). */
export function worst(findings: Finding[]): Status {
  return findings.reduce<Status>((w, f) => (RANK[f.status] > RANK[w] ? f.status : w), "PASS");
}

export function checkStatus(findings: Finding[], check: CheckName): Status {
  return worst(findings.filter((f) => f.check === check));
}
