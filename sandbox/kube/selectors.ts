// Label and field selectors, as `?labelSelector=` / `?fieldSelector=` accept them.
type Req = { key: string; op: "=" | "!=" | "in" | "notin" | "exists" | "!exists"; values: string[] };

function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0,
    cur = "";
  for (const c of s) {
    if (c === "(") depth++;
    if (c === ")") depth--;
    if (c === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  if (cur.trim()) out.push(cur);
  return out.map((x) => x.trim()).filter(Boolean);
}

/** Parses a label selector; returns an error message for bad syntax. */
export function parseLabelSelector(s: string): Req[] | { error: string } {
  const reqs: Req[] = [];
  for (const part of splitTop(s)) {
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part)))
      reqs.push({ key: m[1], op: m[2] as "in" | "notin", values: m[3].split(",").map((v) => v.trim()) });
    else if ((m = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s=!]*)$/.exec(part))) reqs.push({ key: m[1], op: m[2] === "!=" ? "!=" : "=", values: [m[3]] });
    else if ((m = /^!([^\s!=]+)$/.exec(part))) reqs.push({ key: m[1], op: "!exists", values: [] });
    else if ((m = /^([^\s!=(),]+)$/.exec(part))) reqs.push({ key: m[1], op: "exists", values: [] });
    else return { error: `unable to parse requirement: found '${part}', expected: identifier` };
  }
  return reqs;
}

export function matchLabels(labels: Record<string, string> | undefined, reqs: Req[]): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case "=":
        return has && l[r.key] === r.values[0];
      case "!=":
        return !has || l[r.key] !== r.values[0];
      case "in":
        return has && r.values.includes(l[r.key]);
      case "notin":
        return !has || !r.values.includes(l[r.key]);
      case "exists":
        return has;
      case "!exists":
        return !has;
    }
  });
}

/** metav1.LabelSelector (matchLabels + matchExpressions), as webhooks' object/namespace selectors. */
export function matchLabelSelector(labels: Record<string, string> | undefined, sel: any): boolean {
  if (!sel) return true;
  const reqs: Req[] = Object.entries(sel.matchLabels ?? {}).map(([key, v]) => ({ key, op: "=" as const, values: [String(v)] }));
  for (const e of sel.matchExpressions ?? []) {
    const op = ({ In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!exists" } as const)[e.operator as "In"];
    if (op) reqs.push({ key: e.key, op, values: e.values ?? [] });
  }
  return matchLabels(labels, reqs);
}

type FieldReq = { path: string; neg: boolean; value: string };

export function parseFieldSelector(s: string): FieldReq[] | { error: string } {
  const out: FieldReq[] = [];
  for (const part of splitTop(s)) {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part);
    if (!m) return { error: `invalid selector: '${s}'; can't understand '${part}'` };
    out.push({ path: m[1].trim(), neg: m[2] === "!=", value: m[3].trim() });
  }
  return out;
}

const SUPPORTED_FIELDS: Record<string, string[]> = {
  pods: [
    "metadata.name",
    "metadata.namespace",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
  ],
  events: [
    "metadata.name",
    "metadata.namespace",
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  namespaces: ["metadata.name", "status.phase"],
};

/** Checks fields are selectable for the resource (the real server refuses others with 400). */
export function unsupportedField(resource: string, reqs: FieldReq[]): string | undefined {
  const allowed = SUPPORTED_FIELDS[resource] ?? ["metadata.name", "metadata.namespace"];
  const bad = reqs.find((r) => !allowed.includes(r.path));
  return bad ? `field label not supported: ${bad.path}` : undefined;
}

export function matchFields(obj: any, reqs: FieldReq[]): boolean {
  return reqs.every((r) => {
    let v: any = obj;
    if (r.path === "source") v = obj?.source?.component;
    else for (const p of r.path.split(".")) v = v?.[p];
    const s = v === undefined || v === null ? "" : String(v);
    return r.neg ? s !== r.value : s === r.value;
  });
}
