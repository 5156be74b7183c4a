import { describe, expect, it } from "vitest";
import { workloadReports, clusterFindings } from "../../../src/doctor/checks.js";
import { buildDoctorReport, formatDoctorReport } from "../../../src/doctor/render.js";
import type { DoctorFacts } from "../../../src/doctor/types.js";
import { ID_ID, ISSUER, healthyCluster, sa } from "../../helpers/doctor-fixtures.js";

function report(df: DoctorFacts) {
  const workloads = workloadReports(df).map((r) => r.report);
  return buildDoctorReport({ target: df.target, exchange: false, clusterFindings: clusterFindings(df), workloads, durationMs: 1234, exitCode: 0 });
}

describe("doctor's report", () => {
  it("JSON: versioned, the verdict over every finding, counts per workload", () => {
    const df = healthyCluster();
    df.inventory!.serviceAccounts.push(sa({ name: "b", annotations: { "azure.workload.identity/client-id": "nope" } }));
    const r = report(df);
    expect(r).toMatchObject({ version: 1, result: "fail", namespace: null, exchange: false, summary: { workloads: 2, pass: 1, fail: 1, warn: 0, unknown: 0 } });
    expect(JSON.parse(JSON.stringify(r)).workloads[0]).toMatchObject({ namespace: "ns", serviceAccount: "b", kind: "serviceaccount", status: "FAIL" });
    expect(report(healthyCluster()).result).toBe("pass");
  });

  it("text: the cluster line, one line per workload with its first problem, each fix once under it", () => {
    const df = healthyCluster();
    df.credentials[ID_ID.toLowerCase()]!.fics![0]!.issuer = ISSUER.slice(0, -1);
    df.credentials[ID_ID.toLowerCase()]!.fics![0]!.audiences = ["x"];
    const lines = formatDoctorReport(report(df));
    expect(lines[0]).toBe("Doctor: 1 workload(s) using workload identity in all namespaces of cluster aks");
    expect(lines[1]).toMatch(/^PASS  cluster: OIDC issuer/);
    expect(lines[2]).toMatch(/^FAIL  ns\/sa pod\/p1  credential fic's issuer lacks the cluster issuer's trailing slash.* \(\+1 more\)$/);
    expect(lines[3]).toMatch(/^ {6}fix: az identity federated-credential update -g rg-ids --identity-name id-x -n fic --issuer /);
    expect(lines[4]).toMatch(/^ {6}FAIL: credential fic's audiences are not exactly/);
    // The same update fixes both: shown once.
    expect(lines.filter((l) => l.includes("fix: az identity federated-credential update"))).toHaveLength(1);
    expect(lines.at(-1)).toBe("1 of 1 workload(s) fail; 0 warn.");
  });

  it("text: a cluster where nothing uses workload identity says so", () => {
    const df = healthyCluster();
    df.inventory = { serviceAccounts: [], pods: [], deployments: [] };
    expect(formatDoctorReport(report(df)).at(-1)).toMatch(
      /^No workload uses workload identity \(no service account with the azure.workload.identity\/client-id annotation/,
    );
  });

  it("text: a healthy cluster says so, and that tokens were not exchanged", () => {
    const lines = formatDoctorReport(report(healthyCluster()));
    expect(lines[2]).toBe("PASS  ns/sa pod/p1  ok: identity id-x, pod p1");
    expect(lines.at(-1)).toMatch(/^All 1 workload\(s\) healthy \(0 with warnings\) in 1\.2 s\. Tokens were not exchanged: add --exchange/);
  });
});
