// Kubernetes users bound by namespace, from `aks-wi sandbox principal create … --kube-namespace NS
// --kube-role edit|view`, through the real kubectl and client-node: the user acts in its namespace
// with the ClusterRole's verbs and gets kube-apiserver's Forbidden anywhere else (another
// namespace, namespaces themselves, exec as a viewer); SelfSubjectAccessReview (`kubectl auth
// can-i`, client-node) answers truthfully for it; the local accounts stay cluster administrators.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { AuthorizationV1Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { parse } from "yaml";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";

const BIN = join(process.cwd(), "bin", "aks-wi");
const NS = "team-a";
const OTHER = "team-b";

const run = (file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(file, args, { encoding: "utf8", env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });

let sb: TestSandbox;
let editor: { kubeconfig: string };
let viewer: { kubeconfig: string };
let home: string;

/** kubectl as a user (its kubeconfig; HOME in the sandbox dir so no cache is shared). */
const kubectl = (kubeconfig: string, ...args: string[]) => run("kubectl", ["--kubeconfig", kubeconfig, ...args], { HOME: home });
const admin = (...args: string[]) => kubectl(sb.info.kubeconfig, ...args);

async function create(name: string, role: "edit" | "view") {
  const r = await run(process.execPath, [BIN, "sandbox", "principal", "create", name, "--dir", sb.dir, "--kube-namespace", NS, "--kube-role", role]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  return JSON.parse(r.stdout);
}

beforeAll(async () => {
  sb = await startTestSandbox();
  home = sb.dir;
  expect((await admin("create", "namespace", OTHER)).code).toBe(0);
  editor = await create("editor", "edit");
  viewer = await create("viewer", "view");
}, 60_000);
afterAll(async () => sb?.stop());

/** kube-apiserver's Forbidden message, as kubectl prints it. */
const denial = (user: string, verb: string, resource: string, where: string, name?: string) =>
  `${resource.split("/")[0]}${name ? ` "${name}"` : ""} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "" ${where}`;
const forbiddenIn = (...a: Parameters<typeof denial>) => `Error from server (Forbidden): ${denial(...a)}\n`;
/** `kubectl create serviceaccount` words a failed create its own way around the server's message. */
const saCreateForbidden = (...a: Parameters<typeof denial>) => `error: failed to create serviceaccount: ${denial(...a)}\n`;

describe("a namespace-scoped user's kubeconfig", () => {
  it("is in the JSON, kept 0600 in DIR/principals, with its own token and the namespace as the context's default; the namespace was made", async () => {
    const made = JSON.parse(readFileSync(join(sb.dir, "principals", "editor.json"), "utf8"));
    expect(Object.keys(made)).toEqual(["clientId", "clientSecret", "tenantId", "objectId", "kubeconfig"]);
    expect(made.kubeconfig).toBe(join(sb.dir, "principals", "editor.kubeconfig"));
    expect(editor.kubeconfig).toBe(made.kubeconfig);
    expect(statSync(made.kubeconfig).mode & 0o777).toBe(0o600);
    const kc = parse(readFileSync(made.kubeconfig, "utf8"));
    expect(kc.contexts[0].context).toEqual({ cluster: sb.info.clusterName, user: "editor", namespace: NS });
    expect(kc.users[0].user.token).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(join(sb.dir, "state.json"), "utf8")).not.toContain(kc.users[0].user.token);
    expect((await admin("get", "namespace", NS, "-o", "jsonpath={.status.phase}")).stdout).toBe("Active");
  });
});

describe("edit in its namespace", () => {
  it("creates, reads, patches and deletes workload objects there, service accounts included", async () => {
    expect(await kubectl(editor.kubeconfig, "create", "serviceaccount", "app-sa")).toMatchObject({ code: 0, stdout: "serviceaccount/app-sa created\n" });
    expect((await kubectl(editor.kubeconfig, "annotate", "serviceaccount", "app-sa", "azure.workload.identity/client-id=x")).code).toBe(0);
    expect((await kubectl(editor.kubeconfig, "get", "serviceaccount", "app-sa", "-n", NS, "-o", "name")).stdout).toBe("serviceaccount/app-sa\n");
    expect((await kubectl(editor.kubeconfig, "run", "app", "--image=busybox:1.36")).code).toBe(0);
    const exec = await kubectl(editor.kubeconfig, "exec", "app", "--", "echo", "hi");
    expect({ code: exec.code, stdout: exec.stdout }).toEqual({ code: 0, stdout: "hi\n" });
    expect((await kubectl(editor.kubeconfig, "delete", "serviceaccount", "app-sa")).code).toBe(0);
  });

  it("gets kubectl's Forbidden in another namespace, for namespaces themselves, and cluster-wide lists", async () => {
    expect(await kubectl(editor.kubeconfig, "create", "serviceaccount", "x", "-n", OTHER)).toMatchObject({
      code: 1,
      stderr: saCreateForbidden("editor", "create", "serviceaccounts", `in the namespace "${OTHER}"`),
    });
    expect(await kubectl(editor.kubeconfig, "run", "p", "--image=busybox:1.36", "-n", OTHER)).toMatchObject({
      code: 1,
      stderr: forbiddenIn("editor", "create", "pods", `in the namespace "${OTHER}"`),
    });
    expect(await kubectl(editor.kubeconfig, "get", "pods", "-n", OTHER)).toMatchObject({
      code: 1,
      stderr: forbiddenIn("editor", "list", "pods", `in the namespace "${OTHER}"`),
    });
    expect(await kubectl(editor.kubeconfig, "get", "serviceaccount", "default", "-n", OTHER)).toMatchObject({
      code: 1,
      stderr: forbiddenIn("editor", "get", "serviceaccounts", `in the namespace "${OTHER}"`, "default"),
    });
    expect(await kubectl(editor.kubeconfig, "create", "namespace", "mine")).toMatchObject({
      code: 1,
      stderr: forbiddenIn("editor", "create", "namespaces", "at the cluster scope"),
    });
    expect(await kubectl(editor.kubeconfig, "get", "pods", "-A")).toMatchObject({
      code: 1,
      stderr: forbiddenIn("editor", "list", "pods", "at the cluster scope"),
    });
    // nothing was made where it was refused
    expect((await admin("get", "serviceaccount", "x", "-n", OTHER)).code).toBe(1);
    expect((await admin("get", "namespace", "mine")).code).toBe(1);
  });
});

describe("view in its namespace", () => {
  it("reads there, but every write and exec is Forbidden", async () => {
    expect((await kubectl(viewer.kubeconfig, "get", "pods", "-o", "name")).stdout).toBe("pod/app\n");
    expect(await kubectl(viewer.kubeconfig, "create", "serviceaccount", "v-sa")).toMatchObject({
      code: 1,
      stderr: saCreateForbidden("viewer", "create", "serviceaccounts", `in the namespace "${NS}"`),
    });
    expect(await kubectl(viewer.kubeconfig, "delete", "pod", "app")).toMatchObject({
      code: 1,
      stderr: forbiddenIn("viewer", "delete", "pods", `in the namespace "${NS}"`, "app"),
    });
    expect(await kubectl(viewer.kubeconfig, "exec", "app", "--", "echo", "hi")).toMatchObject({
      code: 1,
      stderr: forbiddenIn("viewer", "create", "pods/exec", `in the namespace "${NS}"`, "app"),
    });
  });
});

describe("SelfSubjectAccessReview answers truthfully", () => {
  it("kubectl auth can-i: yes in its namespace, no elsewhere and for namespaces", async () => {
    const can = async (kubeconfig: string, ...args: string[]) => {
      const r = await kubectl(kubeconfig, "auth", "can-i", ...args);
      return `${r.stdout.trim()}:${r.code}`;
    };
    expect(await can(editor.kubeconfig, "create", "serviceaccounts")).toBe("yes:0");
    expect(await can(editor.kubeconfig, "patch", "serviceaccounts", "-n", NS)).toBe("yes:0");
    expect(await can(editor.kubeconfig, "create", "pods/exec")).toBe("yes:0");
    expect(await can(editor.kubeconfig, "create", "serviceaccounts", "-n", OTHER)).toBe("no:1");
    expect(await can(editor.kubeconfig, "create", "namespaces")).toBe("no:1");
    expect(await can(editor.kubeconfig, "get", "secrets")).toBe("yes:0");
    expect(await can(viewer.kubeconfig, "get", "pods")).toBe("yes:0");
    expect(await can(viewer.kubeconfig, "get", "secrets")).toBe("no:1");
    expect(await can(viewer.kubeconfig, "delete", "pods")).toBe("no:1");
    // the local accounts stay cluster administrators
    expect(await can(sb.info.kubeconfig, "create", "namespaces")).toBe("yes:0");
    expect(await can(sb.info.kubeconfig, "*", "*", "--all-namespaces")).toBe("yes:0");
  });

  it("client-node: allowed true and false, with RBAC's reason when allowed", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(editor.kubeconfig);
    const authz = kc.makeApiClient(AuthorizationV1Api);
    const review = (namespace: string, verb: string, resource: string) =>
      authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace, verb, resource } } } });
    const yes = await review(NS, "create", "serviceaccounts");
    expect(yes.status).toEqual({ allowed: true, reason: `RBAC: allowed by RoleBinding "editor-edit/${NS}" of ClusterRole "edit" to User "editor"` });
    expect((await review(OTHER, "create", "serviceaccounts")).status).toEqual({ allowed: false });
    expect((await review("", "create", "namespaces")).status).toEqual({ allowed: false });
    // and the same user is refused the real request
    await expect(kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: "nope" } } })).rejects.toMatchObject({ code: 403 });
  });
});
