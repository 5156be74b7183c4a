// What the sandbox's single node does with a pod: Pending → Running after the latency profile's
// podStartMs, the scheduler's and kubelet's events, container logs, and what a container sees
// from the inside (its environment and mounted files, for exec).
import { createHash } from "node:crypto";
import type { ServiceContext } from "../core/types.js";
import type { ContainerView } from "./exec/shell.js";
import { badRequest, type Outcome } from "./status.js";
import type { KubeObject, StoredObject } from "./store.js";

/** A container of a pod's spec, as far as the node reads it. */
export interface Container {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
}

export const NODE_NAME = "aks-nodepool1-12345678-vmss000000";
export const HOST_IP = "10.224.0.4";

const podIpFor = (uid: string) => `10.244.0.${(parseInt(createHash("sha256").update(uid).digest("hex").slice(0, 4), 16) % 200) + 30}`;

export function pendingStatus(pod: KubeObject, now: string) {
  return {
    phase: "Pending",
    conditions: [{ type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: now }],
    hostIP: HOST_IP,
    hostIPs: [{ ip: HOST_IP }],
    startTime: now,
    qosClass: "BestEffort",
    containerStatuses: (pod.spec.containers ?? []).map((c: Container) => ({
      name: c.name,
      image: c.image,
      imageID: "",
      ready: false,
      restartCount: 0,
      started: false,
      state: { waiting: { reason: "ContainerCreating" } },
      lastState: {},
    })),
  };
}

const imageDigest = (image: string) => "sha256:" + createHash("sha256").update(image).digest("hex");

export function runningStatus(pod: StoredObject, startedAt: string) {
  const ip = podIpFor(pod.metadata.uid);
  const cond = (type: string) => ({ type, status: "True", lastProbeTime: null, lastTransitionTime: startedAt });
  return {
    phase: "Running",
    conditions: [cond("PodReadyToStartContainers"), cond("Initialized"), cond("Ready"), cond("ContainersReady"), cond("PodScheduled")],
    hostIP: HOST_IP,
    hostIPs: [{ ip: HOST_IP }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: pod.status?.startTime ?? startedAt,
    qosClass: "BestEffort",
    ...((pod.spec.initContainers ?? []).length
      ? {
          initContainerStatuses: pod.spec.initContainers.map((c: Container) => ({
            name: c.name,
            image: c.image,
            imageID: `${c.image.split(":")[0]}@${imageDigest(c.image)}`,
            ready: true,
            restartCount: 0,
            started: false,
            state: {
              terminated: {
                exitCode: 0,
                reason: "Completed",
                startedAt,
                finishedAt: startedAt,
                containerID: `containerd://${createHash("sha256")
                  .update(pod.metadata.uid + c.name)
                  .digest("hex")}`,
              },
            },
            lastState: {},
          })),
        }
      : {}),
    containerStatuses: (pod.spec.containers ?? []).map((c: Container) => ({
      name: c.name,
      image: c.image,
      imageID: `${c.image.split(":")[0]}@${imageDigest(c.image)}`,
      containerID: `containerd://${createHash("sha256")
        .update(pod.metadata.uid + c.name)
        .digest("hex")}`,
      ready: true,
      restartCount: 0,
      started: true,
      state: { running: { startedAt } },
      lastState: {},
    })),
  };
}

/** An event as the scheduler or kubelet records it. */
export interface PodEvent {
  reason: string;
  message: string;
  component: string;
  fieldPath?: string;
}

/** Events the scheduler and kubelet record for a pod, in order. */
export function podEvents(pod: KubeObject, stage: "scheduled" | "started"): PodEvent[] {
  if (stage === "scheduled")
    return [
      { reason: "Scheduled", component: "default-scheduler", message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${NODE_NAME}` },
    ];
  const out: PodEvent[] = [];
  for (const c of pod.spec.containers ?? []) {
    const fieldPath = `spec.containers{${c.name}}`;
    out.push({ reason: "Pulling", component: "kubelet", fieldPath, message: `Pulling image "${c.image}"` });
    out.push({
      reason: "Pulled",
      component: "kubelet",
      fieldPath,
      message: `Successfully pulled image "${c.image}" in 1.204s (1.204s including waiting). Image size: 7340032 bytes.`,
    });
    out.push({ reason: "Created", component: "kubelet", fieldPath, message: `Created container ${c.name}` });
    out.push({ reason: "Started", component: "kubelet", fieldPath, message: `Started container ${c.name}` });
  }
  return out;
}

/** What a container "printed": its start-up line, and which Azure identity settings it saw. */
export function containerLog(pod: KubeObject, container: Container, startedAt: string): string {
  const ts = startedAt.replace("Z", ".000000000Z");
  const env: Array<{ name: string }> = container.env ?? [];
  const lines = [`${ts} starting ${container.image} in container ${container.name} of pod ${pod.metadata.namespace}/${pod.metadata.name}`];
  const azure = env.map((e) => e.name).filter((n) => n.startsWith("AZURE_"));
  lines.push(
    azure.length ? `${ts} workload identity environment present: ${azure.join(", ")}` : `${ts} no workload identity environment (AZURE_* variables not set)`,
  );
  return lines.map((l) => l + "\n").join("");
}

/** The container an exec or log request names, or the pod's only one. */
export function pickContainer(pod: KubeObject, container: string | null): Outcome<Container> {
  const cs: Container[] = pod.spec.containers ?? [];
  if (!container) {
    if (cs.length === 1) return { ok: true, value: cs[0] };
    return {
      ok: false,
      res: badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${cs.map((c) => c.name).join(" ")}]`),
    };
  }
  const c = [...cs, ...(pod.spec.initContainers ?? [])].find((x: Container) => x.name === container);
  if (!c) return { ok: false, res: badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`) };
  return { ok: true, value: c };
}

/** Resolves a container's env list (value and simple fieldRef), plus what the runtime and service links add. */
export function containerEnv(pod: StoredObject, container: Container): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    ["HOSTNAME", pod.metadata.name],
  ];
  for (const e of container.env ?? []) {
    let v: string = typeof e.value === "string" ? e.value : "";
    const fp = e.valueFrom?.fieldRef?.fieldPath;
    if (fp === "metadata.name") v = pod.metadata.name;
    else if (fp === "metadata.namespace") v = pod.metadata.namespace ?? "";
    else if (fp === "metadata.uid") v = pod.metadata.uid;
    else if (fp === "spec.serviceAccountName") v = pod.spec.serviceAccountName;
    else if (fp === "spec.nodeName") v = pod.spec.nodeName ?? "";
    else if (fp === "status.podIP") v = pod.status?.podIP ?? "";
    const i = out.findIndex(([k]) => k === e.name);
    if (i >= 0) out[i] = [e.name, v];
    else out.push([e.name, v]);
  }
  if (pod.spec.enableServiceLinks !== false)
    out.push(
      ["KUBERNETES_SERVICE_HOST", "10.0.0.1"],
      ["KUBERNETES_SERVICE_PORT", "443"],
      ["KUBERNETES_SERVICE_PORT_HTTPS", "443"],
      ["KUBERNETES_PORT", "tcp://10.0.0.1:443"],
      ["KUBERNETES_PORT_443_TCP", "tcp://10.0.0.1:443"],
      ["KUBERNETES_PORT_443_TCP_PROTO", "tcp"],
      ["KUBERNETES_PORT_443_TCP_PORT", "443"],
      ["KUBERNETES_PORT_443_TCP_ADDR", "10.0.0.1"],
    );
  out.push(["HOME", "/root"]);
  return out;
}

/** The container's filesystem view: hostname, the mounted service-account and projected token files. */
/** Google's and Microsoft's distroless images (gcr.io/distroless/…, mcr.microsoft.com/…/distroless/…)
 *  hold the application and its libraries only: no shell, no env, no cat. Their :debug tags add
 *  busybox. The sandbox runs no images, so it goes by the name. */
export function isDistroless(image: string | undefined): boolean {
  const [repo, tag = ""] = (image ?? "").split("@")[0]!.split(/:(?=[^/]*$)/);
  return /(^|\/)distroless\//.test(repo ?? "") && !tag.startsWith("debug");
}

export function containerView(ctx: ServiceContext, pod: StoredObject, container: Container, sa: KubeObject | undefined): ContainerView {
  const files = new Map<string, () => Promise<string>>();
  files.set("/etc/hostname", async () => pod.metadata.name + "\n");
  files.set("/etc/hosts", async () => `127.0.0.1\tlocalhost\n${pod.status?.podIP ?? "10.244.0.30"}\t${pod.metadata.name}\n`);
  const volumes: any[] = pod.spec.volumes ?? [];
  for (const m of container.volumeMounts ?? []) {
    const vol = volumes.find((v) => v.name === m.name);
    for (const src of vol?.projected?.sources ?? []) {
      const base = m.mountPath.replace(/\/$/, "");
      if (src.serviceAccountToken) {
        const t = src.serviceAccountToken;
        files.set(`${base}/${t.path}`, () =>
          ctx.clusterIssuer.mintServiceAccountToken({
            namespace: pod.metadata.namespace ?? "",
            serviceAccount: pod.spec.serviceAccountName,
            serviceAccountUid: sa?.metadata?.uid ?? "",
            audiences: t.audience ? [t.audience] : [ctx.info.kubeServer],
            expirationSeconds: t.expirationSeconds ?? 3600,
            pod: { name: pod.metadata.name, uid: pod.metadata.uid },
          }),
        );
      }
      if (src.configMap?.name === "kube-root-ca.crt") files.set(`${base}/ca.crt`, async () => ctx.caPem);
      for (const item of src.downwardAPI?.items ?? [])
        if (item.fieldRef?.fieldPath === "metadata.namespace") files.set(`${base}/${item.path}`, async () => pod.metadata.namespace ?? "");
    }
  }
  const dirs = (): Map<string, Set<string>> => {
    const d = new Map<string, Set<string>>();
    const add = (path: string) => {
      const parts = path.split("/").filter(Boolean);
      for (let i = 0; i < parts.length; i++) {
        const dir = "/" + parts.slice(0, i).join("/");
        if (!d.has(dir)) d.set(dir, new Set());
        d.get(dir)!.add(parts[i]);
      }
    };
    for (const f of files.keys()) add(f);
    for (const extra of ["/bin", "/dev", "/home", "/proc", "/root", "/sys", "/tmp", "/usr", "/var"]) add(extra + "/.keep");
    for (const [dir, s] of d)
      if (s.has(".keep")) {
        s.delete(".keep");
        d.set(dir, s);
      }
    return d;
  };
  return {
    env: containerEnv(pod, container),
    hostname: pod.metadata.name,
    bare: isDistroless(container.image),
    readFile: async (path) => {
      const f = files.get(path);
      if (!f) return undefined;
      try {
        return await f();
      } catch {
        return undefined;
      }
    },
    listDir: (path) => {
      const s = dirs().get(path === "/" ? "/" : path.replace(/\/$/, ""));
      return s ? [...s].sort() : undefined;
    },
  };
}
