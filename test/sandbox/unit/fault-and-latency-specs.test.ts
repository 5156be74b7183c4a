import { describe, expect, it } from "vitest";
import { FaultSpecError, faultResponse, parseFaults } from "../../../sandbox/core/faults.js";
import { LatencySpecError, RttSpecError, parseLatency, parseRtt } from "../../../sandbox/core/latency.js";

const draw = (spec: string, n: number) => {
  const plan = parseFaults(spec);
  return Array.from({ length: n }, () => plan.next("arm") ?? "-");
};

describe("fault plan", () => {
  it("is deterministic for a seed and differs across seeds", () => {
    expect(draw("arm.429=0.5,seed=7", 40)).toEqual(draw("arm.429=0.5,seed=7", 40));
    expect(draw("arm.429=0.5,seed=7", 40)).not.toEqual(draw("arm.429=0.5,seed=8", 40));
    const hits = draw("arm.429=0.5,seed=7", 400).filter((k) => k === "429").length;
    expect(hits).toBeGreaterThan(150);
    expect(hits).toBeLessThan(250);
  });

  it("caps a rule with xMAX and keeps services apart", () => {
    const plan = parseFaults("arm.503=1x2,kube.drop=1");
    expect([plan.next("arm"), plan.next("arm"), plan.next("arm")]).toEqual(["503", "503", undefined]);
    expect(plan.next("login")).toBeUndefined();
    expect(plan.next("kube")).toBe("drop");
    expect(plan.injected()).toEqual({ "arm.503": 2, "kube.drop": 1 });
  });

  it("expands * to every service and reads retry-after and slow-ms", () => {
    const plan = parseFaults("*.500=1,retry-after=3,slow-ms=10");
    expect(plan.retryAfterSeconds).toBe(3);
    expect(plan.slowMs).toBe(10);
    for (const s of ["arm", "login", "kube", "oidc", "graph"] as const) expect(plan.next(s)).toBe("500");
  });

  it.each(["arm", "arm.429", "arm.418=0.1", "dns.429=0.1", "arm.429=2", "arm.429=x", "seed=-1", "arm.exec.503=1", "*.exec.503=1", "kube.exec=1"])(
    "rejects %j",
    (spec) => {
      expect(() => parseFaults(spec)).toThrow(FaultSpecError);
    },
  );

  it("kube.exec.KIND lands on exec upgrades only; kube.KIND on upgrades and HTTP requests alike", () => {
    const plan = parseFaults("kube.exec.503=1x1,kube.drop=1x1");
    expect([plan.next("kube"), plan.next("kube")]).toEqual(["drop", undefined]);
    expect([plan.next("kube", "exec"), plan.next("kube", "exec")]).toEqual(["503", undefined]);
    expect(plan.injected()).toEqual({ "kube.exec.503": 1, "kube.drop": 1 });
  });

  it("answers in each service's own error shape with Retry-After", () => {
    const arm = faultResponse("arm", "429", 2);
    expect(arm).toMatchObject({ status: 429, headers: { "retry-after": "2" }, body: { error: { code: "TooManyRequests" } } });
    expect(faultResponse("kube", "503", 1).body).toMatchObject({ kind: "Status", reason: "ServiceUnavailable", code: 503 });
    expect(faultResponse("login", "500", 1).body).toMatchObject({ error: "server_error" });
    expect(faultResponse("arm", "500", 1).headers).toEqual({});
  });
});

describe("latency profiles", () => {
  it("instant is all zeros; realistic scales Azure's timings by the factor", () => {
    const i = parseLatency("instant");
    const { name: _name, rttMs, ...timings } = i;
    expect(Object.values(timings).every((v) => v === 0)).toBe(true);
    expect(rttMs).toEqual({ arm: 0, login: 0, kube: 0, oidc: 0, graph: 0 });
    const full = parseLatency("realistic");
    const tenth = parseLatency("realistic:0.1");
    expect(full.clusterUpdateMs).toBeGreaterThanOrEqual(60_000);
    expect(tenth.clusterUpdateMs).toBe(Math.round(full.clusterUpdateMs * 0.1));
    expect(parseLatency("instant", { ficPropagationMs: 500 }).ficPropagationMs).toBe(500);
  });
  it.each(["slow", "instant:2", "realistic:", "realistic:-1"])("rejects %j", (spec) => {
    expect(() => parseLatency(spec)).toThrow(LatencySpecError);
  });

  it("realistic costs every request a round trip per service, scaled like the other timings", () => {
    expect(parseLatency("realistic").rttMs).toEqual({ arm: 120, login: 80, kube: 40, oidc: 30, graph: 100 });
    expect(parseLatency("realistic:0.1").rttMs).toEqual({ arm: 12, login: 8, kube: 4, oidc: 3, graph: 10 });
  });

  it("--rtt sets round trips as given, over any profile and any override, leaving the others", () => {
    expect(parseLatency("instant", {}, "arm=120,kube=40").rttMs).toEqual({ arm: 120, login: 0, kube: 40, oidc: 0, graph: 0 });
    expect(parseLatency("realistic:0.1", {}, "arm=300").rttMs).toEqual({ arm: 300, login: 8, kube: 4, oidc: 3, graph: 10 });
    expect(parseLatency("realistic", { rttMs: { kube: 1 } }, "*=0,oidc=7,graph=90").rttMs).toEqual({ arm: 0, login: 0, kube: 0, oidc: 7, graph: 90 });
    expect(parseLatency("realistic", { rttMs: { kube: 1 } }).rttMs).toEqual({ arm: 120, login: 80, kube: 1, oidc: 30, graph: 100 });
    expect(parseRtt("")).toEqual({});
    expect(parseRtt(" login = 12.4 ")).toEqual({ login: 12 });
  });

  it.each(["arm", "arm=", "arm=-1", "arm=fast", "dns=5", "arm=120ms", "arm=600000"])("rejects the round trip %j", (spec) => {
    expect(() => parseRtt(spec)).toThrow(RttSpecError);
  });
});
