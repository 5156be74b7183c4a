// doctor's checks (pure): the cluster once (verify's checkCluster), then per workload verify's
// service-account, identity and pod checks over the Facts built for it, with what only doctor
// sees: a near-miss annotation key verify's typo rule misses, a value that is not a client ID,
// and a Deployment with no pod to judge (its template is judged instead).
import { CLIENT_ID_ANNOTATION, USE_LABEL } from "../core/workload-identity.js";
import { checkCluster } from "../verify/check-cluster.js";
import { checkIdentity } from "../verify/check-identity.js";
import { checkPod } from "../verify/check-pod.js";
import { checkServiceAccount } from "../verify/check-service-account.js";
import { worst } from "../verify/checks.js";
import type { Facts, Finding } from "../verify/types.js";
import { couldNotCheck, finding, sh } from "../verify/util.js";
import { identityNamed, isGuid, namedClientId, workloadFacts } from "./facts.js";
import type { DoctorFacts, Workload, WorkloadReport } from "./types.js";
import { findWorkloads } from "./workloads.js";

const annotateCmd = (w: Workload, clientId: string) =>
  `kubectl -n ${sh(w.namespace)} annotate serviceaccount ${sh(w.serviceAccount)} --overwrite ${CLIENT_ID_ANNOTATION}=${clientId}`;

/** The cluster's findings, once for all workloads. */
export function clusterFindings(df: DoctorFacts): Finding[] {
  const out = checkCluster({
    target: { ...df.target, namespace: "", serviceAccount: "" },
    now: df.now,
    cluster: df.cluster,
    clusterError: df.clusterError,
    webhook: df.webhook,
    transient: df.clusterTransient ? ["cluster"] : undefined,
  });
  const where = df.namespace ? `in namespace ${df.namespace}` : "in all namespaces";
  if (df.inventoryError && df.inventoryTransient)
    out.push(
      couldNotCheck(
        "cluster",
        "inventory-transient",
        `listing service accounts, pods and deployments ${where}`,
        df.inventoryError,
        "the cluster did not answer through the retries; re-run aks-wi doctor in a minute",
      ),
    );
  else if (df.inventoryError)
    out.push(
      finding("cluster", "FAIL", "inventory-unreadable", `service accounts, pods and deployments ${where} could not be listed: ${df.inventoryError}`, {
        fix: df.namespace
          ? "check the Kubernetes credential (--admin, --kubeconfig, --context)"
          : "check the Kubernetes credential (--admin, --kubeconfig), or look at one namespace with --namespace",
      }),
    );
  return out;
}

/** Verify's service-account findings, with the near-miss key and non-GUID value doctor also names. */
function serviceAccountFindings(df: DoctorFacts, w: Workload, facts: Facts): Finding[] {
  const found = checkServiceAccount(facts);
  const { value, key } = namedClientId(w);
  const clientId = facts.identity?.clientId;
  if (key && key !== CLIENT_ID_ANNOTATION && !found.some((f) => f.id === "sa-annotation-typo")) {
    // A key a few edits away (verify's rule catches only other separators and case).
    return found
      .filter((f) => f.id !== "sa-annotation-missing")
      .concat(
        finding(
          "serviceAccount",
          "FAIL",
          "sa-annotation-typo",
          `the service account has "${key}" instead of "${CLIENT_ID_ANNOTATION}"; the webhook ignores it`,
          {
            expected: `${CLIENT_ID_ANNOTATION}=${clientId ?? "<client ID>"}`,
            actual: `${key}=${value}`,
            fix: `${annotateCmd(w, clientId ?? "<identity client ID>")} ${sh(`${key}-`)}`,
          },
        ),
      );
  }
  if (key === CLIENT_ID_ANNOTATION && value !== undefined && !isGuid(value)) {
    const { identity, byName } = identityNamed(df.identities ?? [], value);
    return found
      .filter((f) => f.id !== "sa-ok" && f.id !== "sa-client-id-mismatch")
      .concat(
        finding(
          "serviceAccount",
          "FAIL",
          "sa-client-id-not-guid",
          `the client-id annotation "${value}" is not a client ID (a GUID)${byName ? `; it is identity ${identity!.name}'s name` : ""}`,
          {
            expected: `${CLIENT_ID_ANNOTATION}=${identity?.clientId ?? "<the identity's client ID, a GUID>"}`,
            actual: `${CLIENT_ID_ANNOTATION}=${value}`,
            fix: identity ? annotateCmd(w, identity.clientId) : `${annotateCmd(w, '"$(az identity show -g RG -n NAME --query clientId -o tsv)"')}`,
          },
        ),
      );
  }
  return found;
}

/** A Deployment with no pod: its template decides what its next pods get. */
function templateFindings(w: Workload): Finding[] {
  const d = w.deployment!;
  const restart = `kubectl -n ${sh(d.namespace)} rollout restart deployment ${sh(d.name)}`;
  const out: Finding[] = [
    finding("pod", "WARN", "deployment-no-pods", `deployment ${d.name} has no pods to check; judged by its pod template`, {
      fix: `kubectl -n ${sh(d.namespace)} describe deployment ${sh(d.name)}`,
    }),
  ];
  if (d.templateLabels[USE_LABEL] !== "true") {
    const onDeploy = d.labels[USE_LABEL] === "true";
    out.push(
      finding(
        "pod",
        "FAIL",
        onDeploy ? "label-only-on-deployment" : "label-missing",
        onDeploy
          ? `the ${USE_LABEL} label is on Deployment ${d.name} (metadata.labels, not spec.template.metadata.labels); the webhook selects pods by their own label`
          : `deployment ${d.name}'s pod template lacks the ${USE_LABEL}: "true" label`,
        {
          expected: `spec.template.metadata.labels ${USE_LABEL}: "true"`,
          actual: d.templateLabels[USE_LABEL] === undefined ? "no label in the pod template" : `${USE_LABEL}: "${d.templateLabels[USE_LABEL]}"`,
          fix: `add ${USE_LABEL}: "true" under the pod template's metadata.labels, then ${restart}`,
        },
      ),
    );
  }
  return out;
}

export function checkWorkload(df: DoctorFacts, w: Workload, facts: Facts = workloadFacts(df, w)): Finding[] {
  const named = namedClientId(w).value !== undefined;
  const identity =
    named || df.identitiesError
      ? checkIdentity(facts)
      : [finding("identity", "SKIP", "identity-not-named", "no identity to check: the service account names none")];
  const value = namedClientId(w).value;
  if (value !== undefined && isGuid(value)) {
    // verify's fix says what to do; doctor knows the service account, so it gives the command.
    for (const f of identity)
      if (f.id === "identity-not-found")
        f.fix = `${annotateCmd(w, "<an existing identity's client ID>")} (az identity list --subscription ${sh(df.target.subscription)} --query "[].{name:name, clientId:clientId}")`;
  }
  const pod = w.pod ? checkPod(facts) : w.deployment ? templateFindings(w) : [];
  return [...serviceAccountFindings(df, w, facts), ...identity, ...pod];
}

/** One report row per workload, in the inventory's order (namespace, service account, name). */
export function workloadReports(df: DoctorFacts): { workload: Workload; report: WorkloadReport }[] {
  if (!df.inventory) return [];
  return findWorkloads(df.inventory).map((w) => {
    const facts = workloadFacts(df, w);
    const findings = checkWorkload(df, w, facts);
    const id = facts.identity;
    const report: WorkloadReport = {
      namespace: w.namespace,
      serviceAccount: w.serviceAccount,
      kind: w.kind,
      name: w.name,
      ...(w.pod ? { pod: w.pod.name } : {}),
      ...(id ? { identity: { name: id.name, resourceGroup: id.resourceGroup, clientId: id.clientId } } : {}),
      status: worst(findings),
      findings,
    };
    return { workload: w, report };
  });
}
