// Implementation of `aks-wi init`. Returns the exit code; never exits itself.
export async function run(_opts: Record<string, unknown>): Promise<number> {
  throw new Error("init: not implemented yet");
}
