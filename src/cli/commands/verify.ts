// Implementation of `aks-wi verify`. Returns the exit code; never exits itself.
export async function run(_opts: Record<string, unknown>): Promise<number> {
  throw new Error("verify: not implemented yet");
}
