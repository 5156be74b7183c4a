// Server-side printing (meta.k8s.io/v1 Table), with the columns the real printers register.
type Col = { name: string; type: string; format?: string; description: string; priority: number };
const col = (name: string, type = "string", priority = 0, format = ""): Col => ({ name, type, format, description: name, priority });
const nameCol = (): Col => ({
  name: "Name",
  type: "string",
  format: "name",
  description:
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
  priority: 0,
});

/** apimachinery's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

const age = (o: any, now: number) => (o.metadata?.creationTimestamp ? humanDuration(now - Date.parse(o.metadata.creationTimestamp)) : "<unknown>");

// kubectl's workload printers all end with the same wide columns (-o wide): the pod template's
// containers and images, then the selector.
const wideCols = (selector = true): Col[] => [col("Containers", "string", 1), col("Images", "string", 1), ...(selector ? [col("Selector", "string", 1)] : [])];
function containerCells(template: any): [string, string] {
  const containers: any[] = template?.spec?.containers ?? [];
  return [containers.map((c) => c.name).join(","), containers.map((c) => c.image).join(",")];
}
const labelsText = (labels: Record<string, string> | undefined) =>
  Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

function podStatus(p: any): string {
  if (p.metadata?.deletionTimestamp) return "Terminating";
  const waiting = (p.status?.containerStatuses ?? []).find((c: any) => c.state?.waiting)?.state.waiting.reason;
  return waiting ?? p.status?.phase ?? "Pending";
}

const columns: Record<string, { cols: Col[]; cells: (o: any, now: number) => unknown[] }> = {
  pods: {
    cols: [
      nameCol(),
      col("Ready"),
      col("Status"),
      col("Restarts"),
      col("Age"),
      col("IP", "string", 1),
      col("Node", "string", 1),
      col("Nominated Node", "string", 1),
      col("Readiness Gates", "string", 1),
    ],
    cells: (p, now) => {
      const cs: any[] = p.status?.containerStatuses ?? [];
      const total = (p.spec?.containers ?? []).length;
      const ready = cs.filter((c) => c.ready).length;
      const restarts = cs.reduce((n, c) => n + (c.restartCount ?? 0), 0);
      return [
        p.metadata.name,
        `${ready}/${total}`,
        podStatus(p),
        String(restarts),
        age(p, now),
        p.status?.podIP ?? "<none>",
        p.spec?.nodeName ?? "<none>",
        "<none>",
        "<none>",
      ];
    },
  },
  serviceaccounts: { cols: [nameCol(), col("Secrets", "integer"), col("Age")], cells: (o, now) => [o.metadata.name, (o.secrets ?? []).length, age(o, now)] },
  namespaces: { cols: [nameCol(), col("Status"), col("Age")], cells: (o, now) => [o.metadata.name, o.status?.phase ?? "Active", age(o, now)] },
  services: {
    cols: [nameCol(), col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), col("Age"), col("Selector", "string", 1)],
    cells: (o, now) => [
      o.metadata.name,
      o.spec?.type ?? "ClusterIP",
      o.spec?.clusterIP ?? "<none>",
      "<none>",
      (o.spec?.ports ?? []).map((p: any) => `${p.port}/${p.protocol ?? "TCP"}`).join(",") || "<none>",
      age(o, now),
      Object.entries(o.spec?.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(",") || "<none>",
    ],
  },
  endpoints: {
    cols: [nameCol(), col("Endpoints"), col("Age")],
    cells: (o, now) => {
      const eps = (o.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).flatMap((a: any) => (s.ports ?? []).map((p: any) => `${a.ip}:${p.port}`)));
      return [o.metadata.name, eps.join(",") || "<none>", age(o, now)];
    },
  },
  deployments: {
    cols: [nameCol(), col("Ready"), col("Up-to-date", "integer"), col("Available", "integer"), col("Age"), ...wideCols()],
    cells: (o, now) => [
      o.metadata.name,
      `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`,
      o.status?.updatedReplicas ?? 0,
      o.status?.availableReplicas ?? 0,
      age(o, now),
      ...containerCells(o.spec?.template),
      labelsText(o.spec?.selector?.matchLabels),
    ],
  },
  replicasets: {
    cols: [nameCol(), col("Desired", "integer"), col("Current", "integer"), col("Ready", "integer"), col("Age"), ...wideCols()],
    cells: (o, now) => [
      o.metadata.name,
      o.spec?.replicas ?? 1,
      o.status?.replicas ?? 0,
      o.status?.readyReplicas ?? 0,
      age(o, now),
      ...containerCells(o.spec?.template),
      labelsText(o.spec?.selector?.matchLabels),
    ],
  },
  statefulsets: {
    cols: [nameCol(), col("Ready"), col("Age"), ...wideCols(false)],
    cells: (o, now) => [o.metadata.name, `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 1}`, age(o, now), ...containerCells(o.spec?.template)],
  },
  daemonsets: {
    cols: [
      nameCol(),
      col("Desired", "integer"),
      col("Current", "integer"),
      col("Ready", "integer"),
      col("Up-to-date", "integer"),
      col("Available", "integer"),
      col("Node Selector"),
      col("Age"),
      ...wideCols(),
    ],
    cells: (o, now) => [
      o.metadata.name,
      o.status?.desiredNumberScheduled ?? 0,
      o.status?.currentNumberScheduled ?? 0,
      o.status?.numberReady ?? 0,
      o.status?.updatedNumberScheduled ?? 0,
      o.status?.numberAvailable ?? 0,
      labelsText(o.spec?.template?.spec?.nodeSelector) || "<none>",
      age(o, now),
      ...containerCells(o.spec?.template),
      labelsText(o.spec?.selector?.matchLabels),
    ],
  },
  controllerrevisions: {
    cols: [nameCol(), col("Controller"), col("Revision", "integer"), col("Age")],
    cells: (o, now) => {
      const ref = (o.metadata.ownerReferences ?? []).find((r: any) => r.controller);
      return [o.metadata.name, ref ? `${ref.kind.toLowerCase()}.${ref.apiVersion.split("/")[0]}/${ref.name}` : "<none>", o.revision ?? 0, age(o, now)];
    },
  },
  // pkg/printers/internalversion printJob (kubectl 1.30+ shows the Status column)
  jobs: {
    cols: [nameCol(), col("Status"), col("Completions"), col("Duration"), col("Age"), ...wideCols()],
    cells: (o, now) => {
      const has = (type: string) => (o.status?.conditions ?? []).some((c: any) => c.type === type && c.status === "True");
      const status = has("Complete")
        ? "Complete"
        : has("Failed")
          ? "Failed"
          : o.metadata.deletionTimestamp
            ? "Terminating"
            : has("Suspended")
              ? "Suspended"
              : has("FailureTarget")
                ? "FailureTarget"
                : "Running";
      const start = o.status?.startTime ? Date.parse(o.status.startTime) : undefined;
      const end = o.status?.completionTime ? Date.parse(o.status.completionTime) : now;
      return [
        o.metadata.name,
        status,
        `${o.status?.succeeded ?? 0}/${o.spec?.completions ?? 1}`,
        start === undefined ? "" : humanDuration(end - start),
        age(o, now),
        ...containerCells(o.spec?.template),
        labelsText(o.spec?.selector?.matchLabels),
      ];
    },
  },
  cronjobs: {
    cols: [nameCol(), col("Schedule"), col("Timezone"), col("Suspend", "boolean"), col("Active", "integer"), col("Last Schedule"), col("Age"), ...wideCols()],
    cells: (o, now) => [
      o.metadata.name,
      o.spec?.schedule ?? "",
      o.spec?.timeZone ?? "<none>",
      !!o.spec?.suspend,
      (o.status?.active ?? []).length,
      o.status?.lastScheduleTime ? humanDuration(now - Date.parse(o.status.lastScheduleTime)) : "<none>",
      age(o, now),
      ...containerCells(o.spec?.jobTemplate?.spec?.template),
      "<none>",
    ],
  },
  mutatingwebhookconfigurations: {
    cols: [nameCol(), col("Webhooks", "integer"), col("Age")],
    cells: (o, now) => [o.metadata.name, (o.webhooks ?? []).length, age(o, now)],
  },
  events: {
    cols: [col("Last Seen"), col("Type"), col("Reason"), col("Object"), col("Message")],
    cells: (o, now) => [
      humanDuration(now - Date.parse(o.lastTimestamp ?? o.metadata.creationTimestamp)),
      o.type,
      o.reason,
      `${(o.involvedObject?.kind ?? "").toLowerCase()}/${o.involvedObject?.name}`,
      o.message,
    ],
  },
};

/** Whether the Accept header asks for a Table (kubectl get does; describe and apply do not). */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export function toTable(resource: string, objects: any[], now: number, listMeta: Record<string, unknown>, includeObject: string) {
  const def = columns[resource] ?? {
    cols: [
      nameCol(),
      { ...col("Created At", "date"), description: "CreationTimestamp is a timestamp representing the server time when this object was created." },
    ],
    cells: (o: any) => [o.metadata.name, o.metadata.creationTimestamp],
  };
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: listMeta,
    columnDefinitions: def.cols,
    rows: objects.map((o) => ({
      cells: def.cells(o, now),
      object:
        includeObject === "None"
          ? undefined
          : includeObject === "Object"
            ? o
            : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
    })),
  };
}
