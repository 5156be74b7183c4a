// Implementation of `aks-wi sandbox`. Returns the exit code; never exits itself.
export async function run(_opts: Record<string, unknown>): Promise<number> {
  throw new Error("sandbox: not implemented yet");
}
