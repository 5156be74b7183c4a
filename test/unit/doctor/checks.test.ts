import { describe, expect, it } from "vitest";
import { checkWorkload, clusterFindings, workloadReports } from "../../../src/doctor/checks.js";
import { findWorkloads } from "../../../src/doctor/workloads.js";
import type { DoctorFacts } from "../../../src/doctor/types.js";
import { CLIENT, ID_ID, ISSUER, deployment, healthyCluster, identity, pod, sa } from "../../helpers/doctor-fixtures.js";

const only = (df: DoctorFacts) => {
  const [w] = findWorkloads(df.inventory!);
  return checkWorkload(df, w!);
};
const failed = (df: DoctorFacts) =>
  only(df)
    .filter((f) => f.status === "FAIL")
    .map((f) => f.id);

describe("doctor's checks", () => {
  it("a healthy workload passes verify's service-account, identity and pod checks", () => {
    const fs = only(healthyCluster());
    expect(fs.map((f) => `${f.status} ${f.id}`)).toEqual(["PASS sa-ok", "PASS fic-ok", "PASS pod-ok"]);
    expect(clusterFindings(healthyCluster()).map((f) => f.id)).toEqual(["cluster-ok"]);
  });

  it("a key a couple of edits from the annotation is a typo, and its value finds the identity for the fix", () => {
    const df = healthyCluster();
    df.inventory!.serviceAccounts = [sa({ annotations: { "azure.workload.identity/clientid": CLIENT } })];
    const f = only(df).find((x) => x.id === "sa-annotation-typo")!;
    expect(f.status).toBe("FAIL");
    expect(f.fix).toBe(`kubectl -n ns annotate serviceaccount sa --overwrite azure.workload.identity/client-id=${CLIENT} azure.workload.identity/clientid-`);
    // One typo finding, verify's or doctor's, never both, and no "missing" beside it.
    expect(failed(df).filter((id) => id.startsWith("sa-"))).toEqual(["sa-annotation-typo"]);

    df.inventory!.serviceAccounts = [sa({ annotations: { "azure.workload.idenity/client-id": CLIENT } })];
    expect(failed(df).filter((id) => id.startsWith("sa-"))).toEqual(["sa-annotation-typo"]);
  });

  it("a value that is not a GUID is named; an identity's name in its place gives that identity's client ID", () => {
    const df = healthyCluster();
    df.inventory!.serviceAccounts = [sa({ annotations: { "azure.workload.identity/client-id": "id-x" } })];
    const fs = only(df);
    const f = fs.find((x) => x.id === "sa-client-id-not-guid")!;
    expect(f).toMatchObject({ status: "FAIL", actual: "azure.workload.identity/client-id=id-x", expected: `azure.workload.identity/client-id=${CLIENT}` });
    expect(f.fix).toBe(`kubectl -n ns annotate serviceaccount sa --overwrite azure.workload.identity/client-id=${CLIENT}`);
    expect(fs.some((x) => x.id === "sa-ok" || x.id === "sa-client-id-mismatch")).toBe(false);
    expect(fs.find((x) => x.check === "identity")?.id).toBe("fic-ok");

    df.inventory!.serviceAccounts = [sa({ annotations: { "azure.workload.identity/client-id": "nothing-like-it" } })];
    expect(failed(df)).toEqual(expect.arrayContaining(["sa-client-id-not-guid", "identity-not-found"]));
  });

  it("a GUID no identity has: identity-not-found, with the kubectl command to name another", () => {
    const df = healthyCluster();
    df.inventory!.serviceAccounts = [sa({ annotations: { "azure.workload.identity/client-id": "44444444-4444-4444-4444-444444444444" } })];
    const f = only(df).find((x) => x.id === "identity-not-found")!;
    expect(f.message).toMatch(/no managed identity with client ID 44444444-4444-4444-4444-444444444444 in subscription sub/);
    expect(f.fix).toMatch(/^kubectl -n ns annotate serviceaccount sa --overwrite azure.workload.identity\/client-id=/);
  });

  it("credential mismatches field by field, as verify names them", () => {
    const df = healthyCluster();
    const fic = df.credentials[ID_ID.toLowerCase()]!.fics![0]!;
    fic.issuer = ISSUER.slice(0, -1);
    fic.subject = "system:serviceaccount:ns:sa2";
    fic.audiences = ["api://other"];
    expect(failed(df)).toEqual(["issuer-trailing-slash", "subject-service-account", "audience-mismatch"]);
  });

  it("credentials that could not be read are not reported missing", () => {
    const df = healthyCluster();
    df.credentials = { [ID_ID.toLowerCase()]: { error: "HTTP 500", transient: true } };
    expect(only(df).find((f) => f.check === "identity")).toMatchObject({ status: "UNKNOWN", id: "fic-transient" });
    df.credentials = {};
    expect(only(df).find((f) => f.check === "identity")).toMatchObject({ status: "FAIL", id: "fic-unreadable" });
  });

  it("the label on the service account or only on the Deployment's metadata", () => {
    const df = healthyCluster();
    df.inventory!.serviceAccounts = [sa({ labels: { "azure.workload.identity/use": "true" } })];
    df.inventory!.pods = [pod({ labels: {}, containers: [{ name: "main", init: false, env: {} }], volumes: [] })];
    expect(failed(df)).toContain("label-only-on-sa");

    const d = healthyCluster();
    d.inventory!.deployments = [deployment({ labels: { "azure.workload.identity/use": "true" }, templateLabels: { app: "web" } })];
    d.inventory!.pods = [
      pod({
        name: "web-abc-1",
        owner: { kind: "ReplicaSet", name: "web-abc" },
        labels: { app: "web" },
        containers: [{ name: "main", init: false, env: {} }],
        volumes: [],
      }),
    ];
    const fs = only(d);
    expect(fs.find((f) => f.id === "label-only-on-deployment")?.fix).toContain("kubectl -n ns rollout restart deployment web");
  });

  it("a Deployment with no pod is judged by its template", () => {
    const df = healthyCluster();
    df.inventory!.pods = [];
    df.inventory!.deployments = [deployment({ labels: { "azure.workload.identity/use": "true" }, templateLabels: { app: "web" } })];
    const fs = only(df);
    expect(fs.map((f) => `${f.status} ${f.id}`)).toEqual(expect.arrayContaining(["WARN deployment-no-pods", "FAIL label-only-on-deployment"]));
    df.inventory!.deployments = [deployment()];
    expect(failed(df)).toEqual([]);
  });

  it("pods older than the annotation or than workload identity", () => {
    const df = healthyCluster();
    df.inventory!.pods = [pod({ containers: [{ name: "main", init: false, env: {} }] })];
    expect(failed(df)).toContain("pod-before-annotation");

    const old = healthyCluster();
    old.inventory!.pods = [pod({ creationTimestamp: "2026-01-01T09:00:00.000Z", containers: [{ name: "main", init: false, env: {} }], volumes: [] })];
    old.inventory!.serviceAccounts = [sa({ annotatedAt: undefined })];
    expect(failed(old)).toContain("pod-before-workload-identity");
  });

  it("the cluster's state is judged once: workload identity off, webhook without endpoints, listing refused", () => {
    const df = healthyCluster();
    df.cluster!.workloadIdentityEnabled = false;
    df.webhook!.readyEndpoints = 0;
    df.inventory = undefined;
    df.inventoryError = "listing pods in all namespaces: pods is forbidden";
    expect(clusterFindings(df).map((f) => `${f.status} ${f.id}`)).toEqual([
      "FAIL workload-identity-disabled",
      "FAIL webhook-no-endpoints",
      "FAIL inventory-unreadable",
    ]);
    expect(workloadReports(df)).toEqual([]);
  });

  it("a report row names the workload's identity and its worst status", () => {
    const df = healthyCluster();
    df.inventory!.serviceAccounts.push(sa({ name: "other", annotations: { "azure.workload.identity/client-id": CLIENT } }));
    const rows = workloadReports(df).map((r) => r.report);
    expect(rows.map((r) => `${r.status} ${r.namespace}/${r.serviceAccount} ${r.kind}/${r.name}`)).toEqual([
      "FAIL ns/other serviceaccount/other",
      "PASS ns/sa pod/p1",
    ]);
    expect(rows[1]!.identity).toEqual({ name: identity.name, resourceGroup: "rg-ids", clientId: CLIENT });
  });
});
