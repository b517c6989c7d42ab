/**
 * `secret`, `secrets` and `pkiCert` as Handlebars helpers, with the same
 * dependency semantics as the Go engine: each call records its dependency as
 * used; a dependency the store has not fetched yet is recorded as missing and
 * the helper returns an empty placeholder so the render can go on and find
 * the template's other dependencies in the same pass.
 *
 * Go:          {{ with secret "kv/data/app" }}{{ .Data.data.password }}{{ end }}
 * Handlebars:  {{#with (secret "kv/data/app")}}{{Data.data.password}}{{/with}}
 *
 * Write arguments may be given Go-style (`"common_name=a.example.com"`) or as
 * Handlebars hash arguments (`common_name="a.example.com"`).
 */
import type { HelperOptions } from "handlebars";
import { dependency, JsonNumber } from "../types.ts";
import type { Dependency, DependencyKind, PkiCertValue, SecretValue } from "../types.ts";
import type { RenderState } from "./render-state.ts";

/** A helper misuse the engine reports with the call's line and column. */
export class HelperError extends Error {
  readonly helper: string;
  readonly options: HelperOptions | undefined;
  constructor(helper: string, message: string, options: HelperOptions | undefined) {
    super(message);
    this.name = "HelperError";
    this.helper = helper;
    this.options = options;
  }
}

type Param = readonly [string, string];

function emptySecret(): SecretValue {
  return {
    RequestID: "",
    LeaseID: "",
    LeaseDuration: 0,
    Renewable: false,
    Data: {},
    Warnings: null,
    Auth: null,
    WrapInfo: null,
  };
}

function emptyCert(): PkiCertValue {
  return { Cert: "", Key: "", CA: "", CAChain: [], Data: {} };
}

/** A scalar argument as the text Vault receives. */
function argText(helper: string, value: unknown, options: HelperOptions): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof JsonNumber) return value.text;
  if (value === undefined || value === null) return undefined;
  throw new HelperError(helper, `arguments must be strings, got ${typeof value}`, options);
}

function splitParam(helper: string, text: string, options: HelperOptions): Param {
  const eq = text.indexOf("=");
  if (eq <= 0) {
    throw new HelperError(
      helper,
      `argument ${JSON.stringify(text)} must be key=value (e.g. "common_name=app.example.com")`,
      options,
    );
  }
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** Parses a helper call into a dependency, or undefined when an argument is still unknown. */
function parseCall(
  helper: string,
  kindFor: (params: readonly Param[]) => DependencyKind,
  args: unknown[],
  options: HelperOptions,
): Dependency | undefined {
  const texts = args.map((a) => argText(helper, a, options));
  if (texts.some((t) => t === undefined)) return undefined;
  const [rawPath, ...rest] = texts as string[];
  if (rawPath === undefined || rawPath.replace(/^\/+/, "") === "") {
    throw new HelperError(helper, 'needs a path, e.g. (secret "kv/data/app")', options);
  }
  const params: Param[] = rest.map((t) => splitParam(helper, t, options));
  const hash = (options.hash ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(hash).sort()) {
    const text = argText(helper, hash[key], options);
    if (text === undefined) return undefined;
    params.push([key, text]);
  }
  // A read's `?version=N` stays in the path, as the Go engine keeps it; the
  // store splits it off when it builds the request.
  return dependency(kindFor(params), rawPath, params);
}

/**
 * An argument that is undefined because an earlier secret is still missing
 * (a path built from another secret's value) is not an error: the helper
 * returns the placeholder and the next pass, with the earlier secret fetched,
 * records the real dependency. Without anything missing it is a template bug.
 */
function unresolved<T>(
  helper: string,
  state: RenderState,
  placeholder: T,
  options: HelperOptions,
): T {
  if (state.hasMissing) return placeholder;
  throw new HelperError(helper, "an argument is empty (no value)", options);
}

export interface SecretHelpers {
  secret(state: RenderState, args: unknown[], options: HelperOptions): SecretValue;
  secrets(state: RenderState, args: unknown[], options: HelperOptions): string[];
  pkiCert(state: RenderState, args: unknown[], options: HelperOptions): PkiCertValue;
}

export const secretHelpers: SecretHelpers = {
  secret(state, args, options) {
    const dep = parseCall(
      "secret",
      (params) => (params.length ? "secret.write" : "secret.read"),
      args,
      options,
    );
    if (!dep) return unresolved("secret", state, emptySecret(), options);
    const value = state.lookup(dep);
    return value === undefined ? emptySecret() : (value as SecretValue);
  },

  secrets(state, args, options) {
    if (args.length !== 1 || Object.keys(options.hash ?? {}).length) {
      throw new HelperError("secrets", "takes exactly one path", options);
    }
    const dep = parseCall("secrets", () => "secret.list", args, options);
    if (!dep) return unresolved("secrets", state, [], options);
    const value = state.lookup(dep);
    return value === undefined ? [] : (value as string[]);
  },

  pkiCert(state, args, options) {
    const dep = parseCall("pkiCert", () => "pki.cert", args, options);
    if (!dep) return unresolved("pkiCert", state, emptyCert(), options);
    const value = state.lookup(dep);
    return value === undefined ? emptyCert() : (value as PkiCertValue);
  },
};
