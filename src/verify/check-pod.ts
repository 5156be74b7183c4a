// Check 4: the pod is labelled (itself, not only its service account or Deployment), runs under
// the service account, was mutated with the annotated client ID (the webhook mutates only at
// creation), is outside kube-system, and every container and init container carries the four
// AZURE_* variables. What the pod carries (the env and the projected token volume) is the direct
// evidence; creation times are judged only when it is missing, since clocks and managedFields
// times (a re-applied annotation with the same value) mislead.
import { CLIENT_ID_ANNOTATION, SKIP_CONTAINERS_ANNOTATION, TOKEN_AUDIENCE, USE_LABEL, WEBHOOK_NAMESPACE, WI_ENV } from "../core/workload-identity.js";
import type { Facts, Finding } from "./types.js";
import { couldNotCheck, finding, ms, sameGuid, sh, wasTransient } from "./util.js";

function restart(facts: Facts): string {
  const t = facts.target;
  return t.deployment
    ? `kubectl -n ${sh(t.namespace)} rollout restart deployment ${sh(t.deployment)}`
    : `delete and re-create the pod: kubectl -n ${sh(t.namespace)} delete pod ${sh(facts.pod?.name ?? "<pod>")} (then apply its manifest again)`;
}

/** The env each container actually has: exec `env` for running containers, the spec for the rest. */
function envOf(facts: Facts): { name: string; init: boolean; env: Record<string, string>; source: string; error?: string }[] {
  const pod = facts.pod!;
  return pod.containers.map((c) => {
    const seen = facts.containerEnv?.find((e) => e.name === c.name && e.init === c.init);
    if (seen?.env) return { name: c.name, init: c.init, env: seen.env, source: "exec env" };
    return { name: c.name, init: c.init, env: c.env, source: "pod spec", error: seen?.error };
  });
}

export function checkPod(facts: Facts): Finding[] {
  const t = facts.target;
  const pod = facts.pod;
  if (!pod) {
    if (facts.podError && wasTransient(facts, "pod")) return [couldNotCheck("pod", "pod-transient", "finding the pod", facts.podError)];
    if (facts.podError)
      return [finding("pod", "FAIL", "pod-not-found", facts.podError, { fix: "pass a running pod with --pod or a Deployment with --deployment" })];
    return [finding("pod", "SKIP", "pod-not-given", "no pod to check: pass --pod NAME or --deployment NAME to prove the chain from inside one")];
  }
  const out: Finding[] = [];
  const label = pod.labels[USE_LABEL];
  if (pod.namespace === WEBHOOK_NAMESPACE) {
    out.push(
      finding("pod", "FAIL", "pod-kube-system", `pod ${pod.name} is in ${WEBHOOK_NAMESPACE}, which the webhook never mutates`, {
        expected: "a namespace other than kube-system",
        actual: pod.namespace,
        fix: "run the workload in its own namespace",
      }),
    );
  }
  if (pod.serviceAccountName !== t.serviceAccount) {
    out.push(
      finding("pod", "FAIL", "pod-service-account", `pod ${pod.name} runs under service account ${pod.serviceAccountName}`, {
        expected: `serviceAccountName: ${t.serviceAccount}`,
        actual: `serviceAccountName: ${pod.serviceAccountName}`,
        fix: `set spec.serviceAccountName: ${t.serviceAccount} in the pod template, then ${restart(facts)}`,
      }),
    );
  }
  if (label !== "true") {
    const onSa = facts.serviceAccount?.labels[USE_LABEL] === "true";
    const d = facts.deployment;
    const onDeploy = d && d.labels[USE_LABEL] === "true" && d.templateLabels[USE_LABEL] !== "true";
    const where = onSa ? "service account" : onDeploy ? `Deployment ${d!.name} (metadata.labels, not spec.template.metadata.labels)` : undefined;
    out.push(
      finding(
        "pod",
        "FAIL",
        onSa ? "label-only-on-sa" : onDeploy ? "label-only-on-deployment" : "label-missing",
        where
          ? `the ${USE_LABEL} label is on the ${where}, not on the pod; the webhook selects pods by their own label`
          : `pod ${pod.name} lacks the ${USE_LABEL}: "true" label`,
        {
          expected: `pod label ${USE_LABEL}: "true"`,
          actual: label === undefined ? (where ? `label only on the ${where}` : "no label") : `${USE_LABEL}: "${label}"`,
          fix: `add ${USE_LABEL}: "true" under the pod template's metadata.labels, then ${restart(facts)}`,
        },
      ),
    );
  }
  if (pod.phase !== "Running") {
    out.push(
      finding("pod", "FAIL", "pod-not-running", `pod ${pod.name} is ${pod.phase}; verify needs a running container to look inside`, {
        expected: "Running",
        actual: pod.phase,
        fix: `kubectl -n ${sh(pod.namespace)} describe pod ${sh(pod.name)}`,
      }),
    );
  }
  const created = ms(pod.creationTimestamp);
  const envs = envOf(facts);
  const main = envs.find((e) => !e.init && e.env.AZURE_CLIENT_ID !== undefined) ?? envs.find((e) => !e.init);
  // Created before the annotation: its timestamp says so, or the webhook injected another (or no) client ID.
  const annotation = facts.serviceAccount?.annotations[CLIENT_ID_ANNOTATION];
  const annotatedAt = ms(facts.serviceAccountAnnotatedAt);
  if (annotation && label === "true") {
    const podClientId = main?.env.AZURE_CLIENT_ID;
    if (podClientId !== undefined ? !sameGuid(podClientId, annotation) : created < annotatedAt || pod.volumes.some(isTokenVolume)) {
      out.push(
        finding(
          "pod",
          "FAIL",
          "pod-before-annotation",
          `pod ${pod.name} was created before the service account's client-id annotation was set; the webhook injected ${podClientId === undefined ? "no client ID" : "the old one"}`,
          {
            expected: `AZURE_CLIENT_ID=${annotation} (pod created after ${facts.serviceAccountAnnotatedAt ?? "the annotation"})`,
            actual: `AZURE_CLIENT_ID=${podClientId ?? "(unset)"} (pod created ${pod.creationTimestamp ?? "?"})`,
            fix: restart(facts),
          },
        ),
      );
    }
  }
  // Created before workload identity: the add-on's webhook install time bounds when it was enabled.
  const installed = ms(facts.webhook?.installedAt);
  const mutated = pod.volumes.some(isTokenVolume) && main?.env.AZURE_FEDERATED_TOKEN_FILE !== undefined;
  if (label === "true" && !mutated) {
    if (created < installed) {
      out.push(
        finding(
          "pod",
          "FAIL",
          "pod-before-workload-identity",
          `pod ${pod.name} predates workload identity on this cluster (webhook installed ${facts.webhook?.installedAt}); it was never mutated`,
          {
            expected: `pod created after ${facts.webhook?.installedAt}`,
            actual: `created ${pod.creationTimestamp}`,
            fix: restart(facts),
          },
        ),
      );
    } else if (Number.isNaN(installed)) {
      out.push(
        finding(
          "pod",
          "WARN",
          "pod-workload-identity-time-unknown",
          `cannot tell whether pod ${pod.name} was created after workload identity was enabled, and it carries no projected token volume`,
          {
            fix: restart(facts),
          },
        ),
      );
    }
  }
  // The four variables in every container and init container (except those the pod asks the webhook to skip).
  const skipped = new Set(
    (pod.annotations[SKIP_CONTAINERS_ANNOTATION] ?? "")
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const missing = envs
    .filter((e) => !skipped.has(e.name))
    .map((e) => ({ e, lack: WI_ENV.filter((v) => !e.env[v]) }))
    .filter((x) => x.lack.length);
  for (const { e, lack } of missing) {
    out.push(
      finding(
        "pod",
        "FAIL",
        "env-missing",
        `${e.init ? "init container" : "container"} ${e.name} lacks ${lack.join(", ")} (read by ${e.source}${e.error ? `; exec failed: ${e.error}` : ""})`,
        {
          expected: WI_ENV.join(", "),
          actual: WI_ENV.filter((v) => e.env[v]).join(", ") || "none",
          fix: label === "true" ? restart(facts) : `label the pod ${USE_LABEL}: "true", then ${restart(facts)}`,
        },
      ),
    );
  }
  if (!out.some((f) => f.status === "FAIL")) {
    const checked = envs.filter((e) => !skipped.has(e.name));
    out.push(
      finding(
        "pod",
        "PASS",
        "pod-ok",
        `pod ${pod.name} is labelled, runs as ${pod.serviceAccountName}, and its ${checked.length} container(s) have the 4 AZURE_* variables (${[...new Set(checked.map((e) => e.source))].join(" / ")})`,
      ),
    );
  }
  return out;
}

function isTokenVolume(v: unknown): boolean {
  const p = (v as { projected?: { sources?: { serviceAccountToken?: { audience?: string } }[] } }).projected;
  return !!p?.sources?.some((s) => s.serviceAccountToken?.audience === TOKEN_AUDIENCE);
}
