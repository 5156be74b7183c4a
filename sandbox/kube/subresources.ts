// The subresources the sandbox serves, in one table: which verbs each takes and who answers.
// Every one needs its parent object; a verb outside the list is 405. pods/exec only really
// works as a WebSocket upgrade (exec/session.ts, reached from index.ts).
import type { SandboxRequest, SandboxResponse } from "../core/types.js";
import type { ResourceDef } from "./discovery.js";
import { scale } from "./kinds/deployments.js";
import type { KubeEnv } from "./kinds/index.js";
import { podLog } from "./kinds/pods.js";
import { tokenRequest } from "./kinds/service-accounts.js";
import { badRequest, methodNotAllowed, notFound, ok, requestNotFound } from "./status.js";
import type { StoredObject } from "./store.js";

interface Subresource {
  methods: string[];
  handle(env: KubeEnv, req: SandboxRequest, parent: StoredObject, def: ResourceDef): SandboxResponse | Promise<SandboxResponse>;
}

/** By "resource/subresource"; "status" by itself stands for every kind that lists it in discovery. */
const SUBRESOURCES: Record<string, Subresource> = {
  "serviceaccounts/token": { methods: ["POST"], handle: tokenRequest },
  "pods/log": { methods: ["GET"], handle: podLog },
  "pods/exec": { methods: ["GET", "POST"], handle: () => badRequest("Upgrade request required") },
  "deployments/scale": { methods: ["GET", "PUT", "PATCH"], handle: scale },
  "replicasets/scale": { methods: ["GET", "PUT", "PATCH"], handle: scale },
  "statefulsets/scale": { methods: ["GET", "PUT", "PATCH"], handle: scale },
  // status is only read here: no controller of the sandbox takes status writes from clients
  status: { methods: ["GET"], handle: (_env, _req, parent) => ok(parent) },
};

export async function serveSubresource(
  env: KubeEnv,
  req: SandboxRequest,
  def: ResourceDef,
  ns: string | undefined,
  name: string,
  sub: string,
): Promise<SandboxResponse> {
  if (!def.subresources?.[sub]) return requestNotFound();
  const key = `${def.name}/${sub}`;
  const s = Object.hasOwn(SUBRESOURCES, key) ? SUBRESOURCES[key] : sub === "status" ? SUBRESOURCES.status : undefined;
  if (!s) return requestNotFound();
  if (!s.methods.includes(req.method)) return methodNotAllowed();
  const parent = env.store.get(def.name, ns, name);
  if (!parent) return notFound(def.name, name, def.group);
  return s.handle(env, req, parent, def);
}
