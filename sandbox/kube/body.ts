// Request bodies as kube-apiserver decodes them: JSON, YAML, or the protobuf that kubectl's
// typed clients send for a few kinds.
import { parse as parseYaml } from "yaml";
import type { SandboxRequest } from "../core/types.js";
import { decodeProtobufBody } from "./protobuf.js";
import { badRequest, failure, type Outcome } from "./status.js";

export const PROTOBUF = "application/vnd.kubernetes.protobuf";

/** The request's media type without parameters ("application/json; charset=utf-8" → "application/json"). */
export function mediaType(req: SandboxRequest, absent = ""): string {
  return String(req.headers["content-type"] ?? absent)
    .split(";")[0]
    .trim();
}

/** The body of a create/update (JSON when no content type is sent). */
export function decodeBody(req: SandboxRequest): Outcome<unknown> {
  const ct = mediaType(req, "application/json");
  if (ct === PROTOBUF) {
    const r = decodeProtobufBody(req.body);
    return r.ok ? { ok: true, value: r.value } : { ok: false, res: badRequest(r.message) };
  }
  const text = req.body.toString("utf8");
  try {
    if (ct === "application/json" || ct === "*/*" || ct === "") return { ok: true, value: JSON.parse(text) };
    if (ct === "application/yaml" || ct === "application/apply-patch+yaml") return { ok: true, value: parseYaml(text) };
  } catch (e) {
    return { ok: false, res: badRequest(`json: ${(e as Error).message.split("\n")[0]}`) };
  }
  return {
    ok: false,
    res: failure(
      415,
      `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
      "UnsupportedMediaType",
    ),
  };
}
