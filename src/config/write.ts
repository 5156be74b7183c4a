// `aks-wi init --write-config FILE`: the binding init set up, as a config file `aks-wi apply -f`
// reads. A new file gets the cluster and the one binding; an existing one (for the same cluster)
// keeps everything it holds, comments included, and gains the binding or has it replaced. The
// result is checked by the loader before it is written (atomically), so a file init writes is
// always one apply accepts.
import { randomBytes } from "node:crypto";
import { readFile, rename, unlink, writeFile } from "node:fs/promises";
import { dirname, join, basename } from "node:path";
import { isMap, isSeq, parseDocument, type Document } from "yaml";
import { UserError } from "../core/errors.js";
import type { RoleRequest } from "../core/ports.js";
import { defaultFederatedCredentialName } from "../core/workload-identity.js";
import { parseConfig } from "./load.js";

export interface BindingToWrite {
  cluster: { subscription: string; resourceGroup: string; name: string };
  namespace: string;
  serviceAccount: string;
  identity: { name: string; resourceGroup: string; subscription?: string; location?: string; tags?: Record<string, string> };
  federatedCredential: string;
  roles: RoleRequest[];
  testPod: boolean;
  workloads?: string[];
}

/** The binding as the file spells it: defaults left out, so the file says only what was chosen. */
function bindingNode(b: BindingToWrite): Record<string, unknown> {
  const node: Record<string, unknown> = {
    namespace: b.namespace,
    serviceAccount: b.serviceAccount,
    identity: {
      name: b.identity.name,
      ...(b.identity.resourceGroup !== b.cluster.resourceGroup ? { resourceGroup: b.identity.resourceGroup } : {}),
      ...(b.identity.subscription && b.identity.subscription !== b.cluster.subscription ? { subscription: b.identity.subscription } : {}),
      ...(b.identity.location ? { location: b.identity.location } : {}),
      ...(b.identity.tags && Object.keys(b.identity.tags).length ? { tags: { ...b.identity.tags } } : {}),
    },
  };
  if (b.federatedCredential !== defaultFederatedCredentialName(b.namespace, b.serviceAccount)) node.federatedCredential = b.federatedCredential;
  if (b.roles.length) node.roles = b.roles.map((r) => ({ role: r.role, scope: r.scope }));
  if (b.workloads?.length) node.workloads = [...b.workloads];
  if (b.testPod) node.testPod = true;
  return node;
}

async function existing(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UserError(`--write-config ${path} cannot be read (${(e as NodeJS.ErrnoException).code})`, "name a file you may read and write");
  }
}

/** The file's text with the binding added or replaced; refuses a file of another cluster or one apply would not accept. */
export async function configWithBinding(path: string, b: BindingToWrite): Promise<string> {
  const text = await existing(path);
  let doc: Document;
  if (text === undefined) {
    doc = parseDocument("apiVersion: aks-wi/v1\nkind: WorkloadIdentityConfig\n");
    doc.set("cluster", doc.createNode({ subscription: b.cluster.subscription, resourceGroup: b.cluster.resourceGroup, name: b.cluster.name }, { flow: true }));
    doc.set("bindings", doc.createNode([]));
  } else {
    const cfg = await parseConfig(path, text);
    const same = (x: string | undefined, y: string) => x === undefined || x.toLowerCase() === y.toLowerCase();
    if (
      !same(cfg.cluster.subscription, b.cluster.subscription) ||
      !same(cfg.cluster.resourceGroup, b.cluster.resourceGroup) ||
      !same(cfg.cluster.name, b.cluster.name)
    ) {
      throw new UserError(
        `--write-config ${path} describes cluster ${cfg.cluster.name} in ${cfg.cluster.resourceGroup}, not ${b.cluster.name} in ${b.cluster.resourceGroup}`,
        "name another file for this cluster",
      );
    }
    doc = parseDocument(text);
  }
  const bindings = doc.get("bindings", true);
  if (!isSeq(bindings)) throw new UserError(`--write-config ${path}: bindings is not a list`, "fix the file or name another");
  const node = doc.createNode(bindingNode(b));
  const at = bindings.items.findIndex((item) => isMap(item) && item.get("namespace") === b.namespace && item.get("serviceAccount") === b.serviceAccount);
  if (at >= 0) bindings.items[at] = node;
  else bindings.items.push(node);
  const out = doc.toString({ lineWidth: 0 });
  await parseConfig(path, out); // what apply would say of it
  return out;
}

/** Writes the file atomically (a temp file beside it, then a rename). */
export async function writeConfigFile(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw new UserError(
      `--write-config ${path} cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      "name a file in a directory you may write",
    );
  }
}
