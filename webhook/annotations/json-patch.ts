import jsonpatch from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import { parseJson } from "../../shared/json.ts";

const OPS = new Set(["add", "remove", "replace", "move", "copy", "test"]);

/**
 * An RFC 6902 patch as `agent-json-patch` / `agent-init-json-patch` carry it.
 * It is applied to the generated container alone, so a path is always
 * relative to that container; replacing the whole container ("" path) or
 * renaming it would change what the injector manages and is refused.
 */
export function parseJsonPatch(raw: string): Operation[] {
  let parsed: unknown;
  try {
    parsed = parseJson(raw);
  } catch {
    throw new Error(
      'is not valid JSON; use a JSON array like [{"op":"add","path":"/args/-","value":"x"}]',
    );
  }
  if (!Array.isArray(parsed))
    throw new Error("is not a JSON array of patch operations; wrap the operations in [ ]");
  parsed.forEach((op: unknown, i) => {
    if (typeof op !== "object" || op === null || Array.isArray(op))
      throw new Error(`has operation ${i} that is not an object`);
    const o = op as Record<string, unknown>;
    if (typeof o.op !== "string" || !OPS.has(o.op)) {
      throw new Error(
        `has operation ${i} with op ${JSON.stringify(o.op)}; use add, remove, replace, move, copy or test`,
      );
    }
    for (const field of ["path", ...(o.op === "move" || o.op === "copy" ? ["from"] : [])]) {
      const p = o[field];
      if (typeof p !== "string") throw new Error(`has operation ${i} without a string "${field}"`);
      checkContainerPath(p, i, field);
    }
  });
  const ops = parsed as Operation[];
  const invalid = jsonpatch.validate(ops);
  if (invalid)
    throw new Error(
      `has an invalid operation ${invalid.index ?? ""}: ${invalid.message.split("\n")[0]}`,
    );
  return ops;
}

function checkContainerPath(p: string, i: number, field: string): void {
  if (p === "" || p === "/") {
    throw new Error(
      `has operation ${i} whose ${field} is the whole container; patch its fields instead (e.g. "/args")`,
    );
  }
  if (!p.startsWith("/"))
    throw new Error(
      `has operation ${i} whose ${field} "${p}" is not a JSON pointer; start it with "/"`,
    );
  if (p === "/name" || p.startsWith("/name/")) {
    throw new Error(
      `has operation ${i} that changes the container's name; the injector relies on it`,
    );
  }
}
