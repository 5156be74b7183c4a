// The config file for many bindings (`aks-wi apply -f aks-wi.yaml`, as eksctl's `-f cluster.yaml`
// with `iam.serviceAccounts[]`): read, checked against the JSON Schema that ships with the package
// (schema/aks-wi.schema.json, so editors complete it), then against the naming rules of the
// services that will receive each value. Every mistake is one line naming the file, the line and
// the field ("aks-wi.yaml:12: bindings[1].roles[0].scope: …"), a usage error (exit 2), found before
// anything is read from Azure or the cluster.
import { readFile } from "node:fs/promises";
import { Ajv, type ErrorObject } from "ajv";
import { LineCounter, isMap, isNode, isScalar, parseDocument, type Document } from "yaml";
import { UserError } from "../core/errors.js";
import { defaultFederatedCredentialName } from "../core/workload-identity.js";
import type { RoleRequest } from "../core/ports.js";
import {
  validateClusterName,
  validateFederatedCredentialName,
  validateIdentityName,
  validateNamespace,
  validateResourceGroup,
  validateRole,
  validateScope,
  validateServiceAccount,
  validateSubscription,
  validateWorkload,
  type Validator,
} from "../core/names.js";
import { tagProblem, validateLocation, MAX_TAGS } from "../core/identity-options.js";

export interface BindingConfig {
  namespace: string;
  serviceAccount: string;
  /** `subscription` absent: the cluster's; `location` absent: the cluster's; `tags` for a new identity. */
  identity: { name: string; resourceGroup: string; subscription?: string; location?: string; tags?: Record<string, string> };
  federatedCredential: string;
  roles: RoleRequest[];
  workloads: string[];
  testPod: boolean;
  /** Where the binding starts in the file (1-based), for later messages. */
  line: number;
}

export interface WorkloadIdentityConfig {
  path: string;
  /** `subscription` absent: the session's (the cloud profile's). */
  cluster: { subscription?: string; resourceGroup: string; name: string };
  bindings: BindingConfig[];
}

/** The default credential name of a binding, as `init` names it. */
export const defaultCredentialName = defaultFederatedCredentialName;

type Path = (string | number)[];

/** The schema ships at the package root (schema/), two folders above src/config and three above
 *  dist/src/config: the nearest one up from here. */
async function readSchema(): Promise<string> {
  for (const up of ["../../schema/", "../../../schema/"]) {
    try {
      return await readFile(new URL(`${up}aks-wi.schema.json`, import.meta.url), "utf8");
    } catch {
      /* not at this depth */
    }
  }
  throw new Error("schema/aks-wi.schema.json is missing from the installation");
}

let validator: ReturnType<Ajv["compile"]> | undefined;
async function schemaValidator() {
  if (!validator) {
    const schema = JSON.parse(await readSchema());
    // verbose: errors carry their schema, so an unknown field can list the known ones.
    validator = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  }
  return validator;
}

/** `bindings[1].roles[0].scope` */
export function fieldName(path: Path): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("") || "(the document)";
}

const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 77)}...` : s);

class Located {
  constructor(
    private doc: Document,
    private lines: LineCounter,
  ) {}
  /** The line of the node at `path`, or of the nearest parent that exists; `key` points at a map key instead. */
  line(path: Path, key?: string): number {
    for (let n = path.length; n >= 0; n--) {
      const node = this.doc.getIn(path.slice(0, n), true);
      if (!isNode(node)) continue;
      let offset = node.range?.[0];
      if (n === path.length && key !== undefined && isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
        if (pair && isNode(pair.key)) offset = pair.key.range?.[0];
      }
      if (offset !== undefined) return this.lines.linePos(offset).line;
    }
    return 1;
  }
}

function describeSchemaError(e: ErrorObject): { path: Path; key?: string; message: string } {
  const path: Path = e.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return { path: [...path, String(p.missingProperty)], message: `is required` };
    case "additionalProperties":
      return {
        path,
        key: String(p.additionalProperty),
        message: `unknown field "${clip(String(p.additionalProperty))}" (fields here: ${Object.keys(((e.parentSchema as { properties?: object })?.properties ?? {}) as object).join(", ")})`,
      };
    case "const":
      return { path, message: `must be ${JSON.stringify(p.allowedValue)}` };
    case "type":
      return { path, message: `must be ${p.type === "array" ? "a list" : p.type === "object" ? "a mapping" : `a ${p.type}`}` };
    case "minItems":
      return { path, message: `must list at least ${p.limit}` };
    case "minLength":
      return { path, message: "must not be empty" };
    case "pattern":
      return { path, message: `must look like deployment/NAME, statefulset/NAME, daemonset/NAME or cronjob/NAME` };
    default:
      return { path, message: e.message ?? e.keyword };
  }
}

export class ConfigError extends UserError {
  constructor(file: string, line: number, field: string, message: string, more: number) {
    super(
      `${file}:${line}: ${field}: ${message}${more > 0 ? ` (and ${more} more)` : ""}`,
      `fix ${file} (its fields are described in schema/aks-wi.schema.json)`,
    );
    this.name = "ConfigError";
  }
}

/** Reads and checks a config file; throws one ConfigError (the first mistake by line, with how many more). */
export async function loadConfig(path: string): Promise<WorkloadIdentityConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist"
        : code === "EISDIR"
          ? "is a directory"
          : code === "EACCES"
            ? "is not readable"
            : `cannot be read (${code ?? (e as Error).message})`;
    throw new UserError(`config file ${path} ${why}`, "pass the path of an aks-wi.yaml with -f");
  }
  return parseConfig(path, text);
}

export async function parseConfig(path: string, text: string): Promise<WorkloadIdentityConfig> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problems: { line: number; field: string; message: string }[] = [];
  for (const err of doc.errors) {
    const line = err.linePos?.[0]?.line ?? lines.linePos(err.pos[0]).line;
    problems.push({ line, field: "YAML", message: clip(err.message.split("\n")[0] ?? err.message) });
  }
  const fail = () => {
    problems.sort((a, b) => a.line - b.line);
    const [first] = problems;
    throw new ConfigError(path, first!.line, first!.field, first!.message, problems.length - 1);
  };
  if (problems.length) fail();

  const data = doc.toJS() as unknown;
  const at = new Located(doc, lines);
  const validate = await schemaValidator();
  if (!validate(data)) {
    for (const e of validate.errors ?? []) {
      const d = describeSchemaError(e);
      problems.push({ line: at.line(d.path, d.key), field: fieldName(d.key ? [...d.path, d.key] : d.path), message: d.message });
    }
    fail();
  }

  // The schema holds; now the rules of the services that will receive each value.
  const raw = data as {
    cluster: { subscription?: string; resourceGroup: string; name: string };
    bindings: {
      namespace: string;
      serviceAccount: string;
      identity: { name: string; resourceGroup?: string; subscription?: string; location?: string; tags?: Record<string, string> };
      federatedCredential?: string;
      roles?: RoleRequest[];
      workloads?: string[];
      testPod?: boolean;
    }[];
  };
  const check = (path: Path, value: string, rule: Validator) => {
    const why = rule(value);
    if (why) problems.push({ line: at.line(path), field: fieldName(path), message: `${JSON.stringify(clip(value))}: ${why}` });
  };
  if (raw.cluster.subscription !== undefined) check(["cluster", "subscription"], raw.cluster.subscription, validateSubscription);
  check(["cluster", "resourceGroup"], raw.cluster.resourceGroup, validateResourceGroup);
  check(["cluster", "name"], raw.cluster.name, validateClusterName);
  const seen = new Map<string, number>();
  const credentials = new Map<string, number>();
  const bindings: BindingConfig[] = raw.bindings.map((b, i) => {
    const base: Path = ["bindings", i];
    check([...base, "namespace"], b.namespace, validateNamespace);
    check([...base, "serviceAccount"], b.serviceAccount, validateServiceAccount);
    check([...base, "identity", "name"], b.identity.name, validateIdentityName);
    if (b.identity.resourceGroup) check([...base, "identity", "resourceGroup"], b.identity.resourceGroup, validateResourceGroup);
    if (b.identity.subscription) check([...base, "identity", "subscription"], b.identity.subscription, validateSubscription);
    if (b.identity.location) check([...base, "identity", "location"], b.identity.location, validateLocation);
    const tags = Object.entries(b.identity.tags ?? {});
    for (const [k, v] of tags) {
      const why = tagProblem(k, v);
      if (why) problems.push({ line: at.line([...base, "identity", "tags"], k), field: fieldName([...base, "identity", "tags", k]), message: why });
    }
    if (tags.length > MAX_TAGS - 1)
      problems.push({
        line: at.line([...base, "identity", "tags"]),
        field: fieldName([...base, "identity", "tags"]),
        message: `at most ${MAX_TAGS - 1} tags (Azure allows ${MAX_TAGS}, one is aks-wi's own)`,
      });
    const fc = b.federatedCredential ?? defaultCredentialName(b.namespace, b.serviceAccount);
    if (b.federatedCredential) check([...base, "federatedCredential"], b.federatedCredential, validateFederatedCredentialName);
    (b.workloads ?? []).forEach((w, j) => check([...base, "workloads", j], w, validateWorkload));
    (b.roles ?? []).forEach((r, j) => {
      check([...base, "roles", j, "role"], r.role, validateRole);
      check([...base, "roles", j, "scope"], r.scope, validateScope);
    });
    const key = `${b.namespace}/${b.serviceAccount}`;
    const first = seen.get(key);
    if (first !== undefined)
      problems.push({
        line: at.line(base),
        field: fieldName(base),
        message: `duplicate binding ${key} (also bindings[${first}]): one entry per service account`,
      });
    else seen.set(key, i);
    const idKey = `${(b.identity.subscription ?? raw.cluster.subscription ?? "").toLowerCase()}/${(b.identity.resourceGroup ?? raw.cluster.resourceGroup).toLowerCase()}/${b.identity.name.toLowerCase()}|${fc.toLowerCase()}`;
    const sameName = credentials.get(idKey);
    if (sameName !== undefined && first === undefined) {
      problems.push({
        line: at.line([...base, "federatedCredential"]),
        field: fieldName([...base, "federatedCredential"]),
        message: `credential name "${fc}" is already used on identity ${b.identity.name} by bindings[${sameName}]`,
      });
    } else credentials.set(idKey, i);
    return {
      namespace: b.namespace,
      serviceAccount: b.serviceAccount,
      identity: {
        name: b.identity.name,
        resourceGroup: b.identity.resourceGroup ?? raw.cluster.resourceGroup,
        ...(b.identity.subscription ? { subscription: b.identity.subscription } : {}),
        ...(b.identity.location ? { location: b.identity.location } : {}),
        ...(b.identity.tags ? { tags: { ...b.identity.tags } } : {}),
      },
      federatedCredential: fc,
      roles: (b.roles ?? []).map((r) => ({ role: r.role, scope: r.scope })),
      workloads: b.workloads ?? [],
      testPod: b.testPod ?? false,
      line: at.line(base),
    };
  });
  if (problems.length) fail();
  return { path, cluster: { ...raw.cluster }, bindings };
}
