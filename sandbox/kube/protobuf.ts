// Just enough of Kubernetes' protobuf encoding to read the bodies kubectl's typed clients send
// (`kubectl create serviceaccount|namespace|token|deployment|job|cronjob` and `kubectl auth can-i`
// POST application/vnd.kubernetes.protobuf):
// the "k8s\0" envelope (runtime.Unknown) and the few message types involved, decoded to JSON.
type Field = { no: number; wire: number; value: Buffer | bigint };

function readVarint(b: Buffer, pos: number): [bigint, number] {
  let result = 0n,
    shift = 0n;
  for (;;) {
    if (pos >= b.length) throw new Error("truncated varint");
    const byte = b[pos++];
    result |= BigInt(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return [result, pos];
    shift += 7n;
  }
}

function fields(b: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < b.length) {
    const [tag, p1] = readVarint(b, pos);
    pos = p1;
    const no = Number(tag >> 3n),
      wire = Number(tag & 7n);
    if (wire === 0) {
      const [v, p] = readVarint(b, pos);
      pos = p;
      out.push({ no, wire, value: v });
    } else if (wire === 2) {
      const [len, p] = readVarint(b, pos);
      const end = p + Number(len);
      if (end > b.length) throw new Error("truncated field");
      out.push({ no, wire, value: b.subarray(p, end) });
      pos = end;
    } else if (wire === 1) {
      out.push({ no, wire, value: b.subarray(pos, pos + 8) });
      pos += 8;
    } else if (wire === 5) {
      out.push({ no, wire, value: b.subarray(pos, pos + 4) });
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const str = (f: Field) => (f.value as Buffer).toString("utf8");
// [json name, type, repeated]. "int0": an int Go holds as a plain value with `omitempty`, so 0 means unset.
type Schema = Record<number, [string, "string" | "int" | "int0" | "bool" | "map" | Schema, boolean?]>;

const objectMeta: Schema = {
  1: ["name", "string"],
  2: ["generateName", "string"],
  3: ["namespace", "string"],
  6: ["resourceVersion", "string"],
  5: ["uid", "string"],
  11: ["labels", "map"],
  12: ["annotations", "map"],
  14: ["finalizers", "string", true],
};
const localRef: Schema = { 1: ["name", "string"] };

// What `kubectl create deployment|job|cronjob` send (k8s.io/api apps/v1, batch/v1 and core/v1
// generated.proto; LabelSelector from apimachinery meta/v1): the pod template down to its
// containers' names, images, commands, ports and env. Resource quantities are left out (kubectl
// sends `resources: {}`).
const labelSelector: Schema = {
  1: ["matchLabels", "map"],
  2: ["matchExpressions", { 1: ["key", "string"], 2: ["operator", "string"], 3: ["values", "string", true] }, true],
};
const container: Schema = {
  1: ["name", "string"],
  2: ["image", "string"],
  3: ["command", "string", true],
  4: ["args", "string", true],
  5: ["workingDir", "string"],
  6: ["ports", { 1: ["name", "string"], 2: ["hostPort", "int0"], 3: ["containerPort", "int"], 4: ["protocol", "string"] }, true],
  7: ["env", { 1: ["name", "string"], 2: ["value", "string"] }, true],
  8: ["resources", {}],
  13: ["terminationMessagePath", "string"],
  14: ["imagePullPolicy", "string"],
  20: ["terminationMessagePolicy", "string"],
};
const podTemplate: Schema = {
  1: ["metadata", objectMeta],
  2: [
    "spec",
    {
      2: ["containers", container, true],
      3: ["restartPolicy", "string"],
      4: ["terminationGracePeriodSeconds", "int"],
      6: ["dnsPolicy", "string"],
      7: ["nodeSelector", "map"],
      8: ["serviceAccountName", "string"],
      19: ["schedulerName", "string"],
      20: ["initContainers", container, true],
    },
  ],
};
const jobSpec: Schema = {
  1: ["parallelism", "int"],
  2: ["completions", "int"],
  3: ["activeDeadlineSeconds", "int"],
  4: ["selector", labelSelector],
  5: ["manualSelector", "bool"],
  6: ["template", podTemplate],
  7: ["backoffLimit", "int"],
  8: ["ttlSecondsAfterFinished", "int"],
  9: ["completionMode", "string"],
  10: ["suspend", "bool"],
};
const SCHEMAS: Record<string, Schema> = {
  ServiceAccount: { 1: ["metadata", objectMeta], 3: ["imagePullSecrets", localRef, true], 4: ["automountServiceAccountToken", "bool"] },
  Namespace: { 1: ["metadata", objectMeta] },
  TokenRequest: {
    1: ["metadata", objectMeta],
    2: [
      "spec",
      {
        1: ["audiences", "string", true],
        4: ["expirationSeconds", "int"],
        3: ["boundObjectRef", { 1: ["kind", "string"], 2: ["apiVersion", "string"], 3: ["name", "string"], 4: ["uid", "string"] }],
      },
    ],
  },
  // k8s.io/api/authorization/v1 generated.proto
  SelfSubjectAccessReview: {
    1: ["metadata", objectMeta],
    2: [
      "spec",
      {
        1: [
          "resourceAttributes",
          {
            1: ["namespace", "string"],
            2: ["verb", "string"],
            3: ["group", "string"],
            4: ["version", "string"],
            5: ["resource", "string"],
            6: ["subresource", "string"],
            7: ["name", "string"],
          },
        ],
        2: ["nonResourceAttributes", { 1: ["path", "string"], 2: ["verb", "string"] }],
      },
    ],
  },
  Deployment: {
    1: ["metadata", objectMeta],
    2: [
      "spec",
      {
        1: ["replicas", "int"],
        2: ["selector", labelSelector],
        3: ["template", podTemplate],
        4: ["strategy", { 1: ["type", "string"] }],
        5: ["minReadySeconds", "int"],
        6: ["revisionHistoryLimit", "int"],
        7: ["paused", "bool"],
        9: ["progressDeadlineSeconds", "int"],
      },
    ],
  },
  Job: { 1: ["metadata", objectMeta], 2: ["spec", jobSpec] },
  CronJob: {
    1: ["metadata", objectMeta],
    2: [
      "spec",
      {
        1: ["schedule", "string"],
        3: ["concurrencyPolicy", "string"],
        4: ["suspend", "bool"],
        5: ["jobTemplate", { 1: ["metadata", objectMeta], 2: ["spec", jobSpec] }],
        6: ["successfulJobsHistoryLimit", "int"],
        7: ["failedJobsHistoryLimit", "int"],
        8: ["timeZone", "string"],
      },
    ],
  },
  DeleteOptions: { 1: ["gracePeriodSeconds", "int"], 4: ["propagationPolicy", "string"], 5: ["dryRun", "string", true] },
};

function decodeMessage(b: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, any> = {};
  for (const f of fields(b)) {
    const s = schema[f.no];
    if (!s) continue;
    const [name, type, repeated] = s;
    let v: unknown;
    // Go's generated marshallers write plain (non-pointer) strings and ints even when empty; the
    // apiserver holds those as unset, and its JSON omits them.
    if (type === "string") {
      v = str(f);
      if (v === "" && !repeated) continue;
    } else if (type === "int" || type === "int0") {
      v = Number(BigInt.asIntN(64, f.value as bigint));
      if (v === 0 && type === "int0") continue;
    } else if (type === "bool") v = (f.value as bigint) !== 0n;
    else if (type === "map") {
      const entry = fields(f.value as Buffer);
      const k = entry.find((e) => e.no === 1),
        val = entry.find((e) => e.no === 2);
      (out[name] ??= {})[k ? str(k) : ""] = val ? str(val) : "";
      continue;
    } else v = decodeMessage(f.value as Buffer, type);
    if (repeated) (out[name] ??= []).push(v);
    else out[name] = v;
  }
  return out;
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a protobuf-encoded request body to its JSON form; an error message when it cannot. */
export function decodeProtobufBody(body: Buffer): { ok: true; value: any } | { ok: false; message: string } {
  try {
    if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) return { ok: false, message: "provided object is not a protobuf-encoded Kubernetes object" };
    const unknown = fields(body.subarray(4));
    const tm = unknown.find((f) => f.no === 1);
    const raw = unknown.find((f) => f.no === 2);
    const typeMeta = tm ? fields(tm.value as Buffer) : [];
    const apiVersion = typeMeta.find((f) => f.no === 1);
    const kindF = typeMeta.find((f) => f.no === 2);
    const kind = kindF ? str(kindF) : "";
    const schema = SCHEMAS[kind];
    if (!schema) return { ok: false, message: `no kind "${kind}" is registered for the protobuf decoder of this server` };
    const value = decodeMessage((raw?.value as Buffer) ?? Buffer.alloc(0), schema);
    return { ok: true, value: { apiVersion: apiVersion ? str(apiVersion) : undefined, kind, ...value } };
  } catch (e) {
    return { ok: false, message: `failed to decode protobuf body: ${(e as Error).message}` };
  }
}
