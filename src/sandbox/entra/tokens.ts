// STUB — replaced by the Entra implementation.
import type { TokenService } from "../types.js";
import type { World } from "../world.js";
export async function createTokenService(_dir: string, _world: World): Promise<TokenService> {
  return {
    verifyBearer: async () => ({ ok: false, reason: "signature", message: "stub" }),
    mintAccessToken: async () => { throw new Error("stub"); },
  };
}
