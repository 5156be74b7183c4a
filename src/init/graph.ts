// Runs a plan's operations as a dependency graph: an operation starts as soon as everything it
// waits for is done (or, for `afterAccepted`, has been accepted by the service), so independent
// work runs side by side while a slow one (the cluster update) is still polling. After the first
// failure nothing new starts; what is already running is allowed to finish, so the state file can
// record every completed write before the run stops. Pure: no I/O of its own.

export interface GraphNode {
  id: string;
  /** Ids that must be done before this one starts. */
  after: readonly string[];
  /** Ids whose first write must have been accepted by the service (not necessarily finished). */
  afterAccepted?: readonly string[];
}

export interface GraphHooks<N extends GraphNode> {
  /** Does the node's work; calls `accepted()` once the service has taken its first write. */
  run(node: N, accepted: () => void): Promise<void>;
  onStart?(node: N): void;
  onDone?(node: N, ms: number): void;
  onFail?(node: N, error: unknown, ms: number): void;
  now?: () => number;
}

export class GraphError extends Error {
  constructor(
    /** The first failure; later ones (of operations already running) are in `others`. */
    public readonly first: unknown,
    public readonly failedId: string,
    public readonly others: { id: string; error: unknown }[],
  ) {
    super((first as Error)?.message ?? String(first));
    this.name = "GraphError";
  }
}

/** Refuses a graph with an unknown dependency or a cycle (a planning bug, found before any write). */
export function checkGraph(nodes: readonly GraphNode[]): void {
  const ids = new Set(nodes.map((n) => n.id));
  if (ids.size !== nodes.length) throw new Error("plan has duplicate operation ids");
  for (const n of nodes) {
    for (const d of [...n.after, ...(n.afterAccepted ?? [])]) {
      if (!ids.has(d)) throw new Error(`operation ${n.id} waits for unknown operation ${d}`);
    }
  }
  const state = new Map<string, "visiting" | "done">();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const visit = (id: string, path: string[]) => {
    if (state.get(id) === "done") return;
    if (state.get(id) === "visiting") throw new Error(`plan has a dependency cycle: ${[...path, id].join(" → ")}`);
    state.set(id, "visiting");
    const n = byId.get(id)!;
    for (const d of [...n.after, ...(n.afterAccepted ?? [])]) visit(d, [...path, id]);
    state.set(id, "done");
  };
  for (const n of nodes) visit(n.id, []);
}

/** Runs every node once its dependencies allow; resolves when all are done, rejects with a GraphError. */
export async function runGraph<N extends GraphNode>(nodes: readonly N[], hooks: GraphHooks<N>): Promise<void> {
  checkGraph(nodes);
  const now = hooks.now ?? Date.now;
  const done = new Set<string>();
  const accepted = new Set<string>();
  const started = new Set<string>();
  const failures: { id: string; error: unknown }[] = [];
  let running = 0;

  return new Promise<void>((resolve, reject) => {
    const finishIfIdle = () => {
      if (running > 0) return;
      if (failures.length > 0) {
        const [first, ...others] = failures;
        reject(new GraphError(first!.error, first!.id, others));
      } else if (done.size === nodes.length) resolve();
      // Otherwise something is still startable: `pump` has started it.
    };
    const ready = (n: N) => !started.has(n.id) && n.after.every((d) => done.has(d)) && (n.afterAccepted ?? []).every((d) => accepted.has(d) || done.has(d));
    const pump = () => {
      if (failures.length === 0) {
        for (const n of nodes) if (ready(n)) start(n);
      }
      finishIfIdle();
    };
    const start = (n: N) => {
      started.add(n.id);
      running++;
      const t0 = now();
      hooks.onStart?.(n);
      const markAccepted = () => {
        if (accepted.has(n.id)) return;
        accepted.add(n.id);
        // Deferred so a dependent never starts inside the caller's own stack frame.
        queueMicrotask(pump);
      };
      Promise.resolve()
        .then(() => hooks.run(n, markAccepted))
        .then(
          () => {
            running--;
            accepted.add(n.id);
            done.add(n.id);
            hooks.onDone?.(n, now() - t0);
            pump();
          },
          (error: unknown) => {
            running--;
            failures.push({ id: n.id, error });
            hooks.onFail?.(n, error, now() - t0);
            pump();
          },
        );
    };
    pump();
  });
}
