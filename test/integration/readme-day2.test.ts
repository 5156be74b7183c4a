// Acceptance: the README's Verify, Doctor and Delete examples, run verbatim on the quick start's
// sandbox setup (the quick start's own start and init lines first, its stop last): every line
// exits 0, and each says what the README says it does.
import { describe, expect, it } from "vitest";
import { playReadme, readmeCommands } from "../helpers/readme.js";

describe("README: verify, doctor and delete on the quick start's setup", () => {
  it("runs verbatim and every command exits 0", () => {
    const quick = readmeCommands("## Quick start");
    const stop = quick.findIndex((l) => l.includes(" sandbox stop"));
    const init = quick.findIndex((l) => l.includes(" init "));
    const verify = readmeCommands("## Verify");
    const doctor = readmeCommands("## Doctor: every workload on a cluster");
    const del = readmeCommands("## Delete: undo what init made for one workload");
    expect([verify.length, doctor.length, del.length]).toEqual([3, 2, 2]);
    const lines = [...quick.slice(0, init + 1), ...verify, ...doctor, ...del, ...quick.slice(stop)];
    const results = playReadme(lines, "aks-wi-readme-day2-");
    for (const r of results) expect(r.status, `${r.line}\n${r.out}`).toBe(0);
    expect(results).toHaveLength(lines.length);

    const out = (line: string) => results.find((r) => r.line === line)!.out;
    // the bare verify found the state file; the pod named is the one checked
    expect(out(verify[0]!)).toMatch(/^PASS\s+pod\b/m);
    expect(out(verify[1]!)).toMatch(/^PASS\s+pod\b.*aks-wi-test/m);
    const doc = JSON.parse(out(verify[2]!).slice(0, out(verify[2]!).lastIndexOf("}") + 1)) as { result: string; target: { pod: string } };
    expect(doc.result).toBe("pass");
    expect(doc.target.pod).toBe("aks-wi-test");
    // doctor names the workload; with --exchange its token was traded
    expect(out(doctor[0]!)).toMatch(/app\/app-sa/);
    const report = JSON.parse(out(doctor[1]!).slice(0, out(doctor[1]!).lastIndexOf("}") + 1)) as { namespace: string; exchange: boolean; workloads: unknown[] };
    expect(report).toMatchObject({ namespace: "app", exchange: true });
    expect(report.workloads.length).toBeGreaterThan(0);
    // the dry run plans, the real run deletes what init made
    expect(out(del[0]!)).toMatch(/identity id-app/);
    expect(out(del[1]!)).toMatch(/[Dd]eleted/);
  }, 240_000);
});
