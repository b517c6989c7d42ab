/**
 * The consul-template function library, engine-neutral: plain functions on
 * JS values (see values.ts for how Go types are kept), each with the Go
 * parameter types the Go engine checks. Build one library per render:
 * `createFunctions({ source, env, recorder })`.
 */
import type { DataSource, RenderEnvironment } from "../types.ts";
import {
  base64Decode,
  base64Encode,
  base64URLDecode,
  base64URLEncode,
  md5sum,
  sha256Hex,
} from "./encoding.ts";
import { marshal } from "./json.ts";
import { add, divide, maximum, minimum, modulo, multiply, subtract } from "./math.ts";
import { parseBool, parseFloat, parseInt, parseJSON, parseUint, parseYAML } from "./parse.ts";
import { DependencyRecorder, secretFunctions } from "./secrets.ts";
import {
  contains,
  containsSome,
  indent,
  inList,
  join,
  regexMatch,
  regexReplaceAll,
  replaceAll,
  split,
  splitToMap,
  toLower,
  toTitle,
  toUpper,
  trim,
  trimPrefix,
  trimSpace,
  trimSuffix,
} from "./strings.ts";
import { timestamp } from "./time.ts";
import { define, FunctionError, type TemplateFunction } from "./types.ts";
import { isMap, sortedKeys } from "./values.ts";
import { toYAML } from "./yaml.ts";
import { toTOML } from "./toml.ts";
import { mergeMaps } from "./merge.ts";
import { spewQuiet, spewSdump, spewSprintf } from "./spew.ts";
import { createScratch } from "./scratch.ts";
import { getOwn, setOwn } from "../../../shared/own.ts";
import { hmacSHA256Hex, loop } from "./loop.ts";
import { prefixed } from "./prefixed.ts";
import { SPRIG_FUNCTIONS } from "./sprig/index.ts";
import { sprigEnvironmentFunctions } from "./sprig/environment.ts";
import { sockaddr } from "./sockaddr/index.ts";

export { DependencyRecorder, FunctionError };
export type { TemplateFunction };

export interface FunctionContext {
  source: DataSource;
  env: RenderEnvironment;
  recorder: DependencyRecorder;
}

const S = "string" as const;
const A = "any" as const;

/** Functions that need no render context. */
export const PURE_FUNCTIONS: Readonly<Record<string, TemplateFunction>> = {
  base64Decode: define([S], base64Decode),
  base64Encode: define([S], base64Encode),
  base64URLDecode: define([S], base64URLDecode),
  base64URLEncode: define([S], base64URLEncode),
  sha256Hex: define([S], sha256Hex),
  md5sum: define([S], md5sum),
  toJSON: define(
    [A],
    prefixed("toJSON", (v: unknown) => marshal(v)),
  ),
  toJSONPretty: define(
    [A],
    prefixed("toJSONPretty", (v: unknown) => marshal(v, { indent: "  " })),
  ),
  toUnescapedJSON: define(
    [A],
    prefixed("toUnescapedJSON", (v: unknown) => marshal(v, { escapeHTML: false })),
  ),
  toUnescapedJSONPretty: define(
    [A],
    prefixed("toUnescapedJSONPretty", (v: unknown) =>
      marshal(v, { indent: "  ", escapeHTML: false }),
    ),
  ),
  toYAML: define([A], toYAML),
  toTOML: define([A], toTOML),
  parseBool: define([S], parseBool),
  parseFloat: define([S], parseFloat),
  parseInt: define([S], parseInt),
  parseUint: define([S], parseUint),
  parseJSON: define([S], parseJSON),
  parseYAML: define([S], parseYAML),
  join: define([S, "[]string"], join),
  split: define([S, S], split),
  splitToMap: define([S, S, S], splitToMap),
  trimSpace: define([S], trimSpace),
  trim: define([S, S], trim),
  trimPrefix: define([S, S], trimPrefix),
  trimSuffix: define([S, S], trimSuffix),
  replaceAll: define([S, S, S], replaceAll),
  regexReplaceAll: define([S, S, S], regexReplaceAll),
  regexMatch: define([S, S], regexMatch),
  toLower: define([S], toLower),
  toUpper: define([S], toUpper),
  toTitle: define([S], toTitle),
  indent: define(["int", S], indent),
  contains: define([A, A], contains),
  in: define([A, A], inList),
  containsAll: define(["[]any", A], containsSome(true, true)),
  containsAny: define(["[]any", A], containsSome(false, false)),
  containsNone: define(["[]any", A], containsSome(true, false)),
  containsNotAll: define(["[]any", A], containsSome(false, true)),
  explodeMap: define(["map"], explodeMap),
  spew_dump: define([], spewQuiet, A),
  spew_printf: define([S], spewQuiet, A),
  spew_sdump: define([], spewSdump, A),
  spew_sprintf: define([S], spewSprintf, A),
  mergeMap: define(["map", "map"], (d: Record<string, unknown>, s: Record<string, unknown>) =>
    mergeMaps(d, s, false),
  ),
  mergeMapWithOverride: define(
    ["map", "map"],
    (d: Record<string, unknown>, s: Record<string, unknown>) => mergeMaps(d, s, true),
  ),
  add: define([A, A], add),
  subtract: define([A, A], subtract),
  multiply: define([A, A], multiply),
  divide: define([A, A], divide),
  modulo: define([A, A], modulo),
  minimum: define([A, A], minimum),
  maximum: define([A, A], maximum),
  hmacSHA256Hex: define([S, S], hmacSHA256Hex),
  loop: define([], loop, A),
  sockaddr,
  ...SPRIG_FUNCTIONS,
};

/** Names of every library function (for parsers that reject unknown functions). */
export const FUNCTION_NAMES: readonly string[] = [
  ...Object.keys(PURE_FUNCTIONS),
  "secret",
  "secrets",
  "pkiCert",
  "env",
  "mustEnv",
  "envOrDefault",
  "file",
  "timestamp",
  "scratch",
  "sprig_env",
  "sprig_expandenv",
];

/** Every library function for one render. */
export function createFunctions(ctx: FunctionContext): Record<string, TemplateFunction> {
  return { ...PURE_FUNCTIONS, ...createContextFunctions(ctx) };
}

/** Only the functions bound to a render's store, recorder and environment (cheaper per render). */
export function createContextFunctions(ctx: FunctionContext): Record<string, TemplateFunction> {
  const secrets = secretFunctions(ctx.source, ctx.recorder);
  const env = ctx.env;
  const lookupEnv = (k: string): string | undefined => env.env[k];
  const scratch = createScratch();
  return {
    ...sprigEnvironmentFunctions(lookupEnv),
    scratch: define([], () => scratch),
    secret: define([], secrets.secret, S),
    secrets: define([S], secrets.secrets),
    pkiCert: define([], secrets.pkiCert, S),
    env: define([S], (k: string) => lookupEnv(k) ?? ""),
    mustEnv: define([S], (k: string) => {
      const v = lookupEnv(k) ?? "";
      if (v === "") throw new FunctionError(`required environment variable ${k} is empty`);
      return v;
    }),
    envOrDefault: define([S, S], (k: string, d: string) => lookupEnv(k) ?? d),
    file: define([S], (path: string) => {
      if (path === "") return "";
      try {
        return env.readFile(path);
      } catch (e) {
        const code = (e as { code?: string }).code;
        throw new FunctionError(`file ${JSON.stringify(path)}: ${code ?? (e as Error).message}`);
      }
    }),
    timestamp: define(
      [],
      timestamp(() => env.now()),
      S,
    ),
  };
}

/** explodeMap: "a/b" keys become nested maps. */
function explodeMap(m: Record<string, unknown> | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!m) return out;
  for (const key of sortedKeys(m)) {
    const parts = key.split("/");
    let cur = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const top = parts[i]!;
      if (!Object.hasOwn(cur, top)) setOwn(cur, top, {});
      const next = getOwn(cur, top);
      if (!isMap(next)) throw new FunctionError(`explodeMap: not a map: ${JSON.stringify(key)}`);
      cur = next;
    }
    const last = parts[parts.length - 1]!;
    if (last !== "") setOwn(cur, last, m[key]);
  }
  return out;
}
