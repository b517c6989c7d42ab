/**
 * consul-template's spew_* functions (go-spew with its default settings).
 * spew_sdump returns Sdump's text: each value with its Go type, lengths
 * and capacities of strings, slices and maps, and nested values indented
 * one space per level. spew_sprintf is fmt.Sprintf where %v, %+v and %#v
 * print spew's way (%#v adds types) and other verbs print as Go's fmt.
 * spew_dump and spew_printf return "" as in Vault Agent, which also writes
 * their text to its standard output; vaultlet does not, as the text may
 * hold secrets.
 */
import { goStringBytes } from "../../../shared/go-string.ts";
import { formatV, goQuote, sprintf } from "../go/fmt.ts";
import { goTypeName, isMap, sortedKeys } from "./values.ts";

const pad = (depth: number): string => " ".repeat(depth);

function lengths(v: unknown): string {
  if (typeof v === "string") {
    const n = goStringBytes(v).length;
    return n ? `(len=${n}) ` : "";
  }
  if (Array.isArray(v)) return v.length ? `(len=${v.length} cap=${v.length}) ` : "";
  if (isMap(v)) return Object.keys(v).length ? `(len=${Object.keys(v).length}) ` : "";
  return "";
}

function dumpValue(v: unknown, depth: number): string {
  const type = v === null || v === undefined ? "interface {}" : goTypeName(v);
  const head = `(${type}) ${lengths(v)}`;
  if (v === null || v === undefined) return `${head}<nil>`;
  if (typeof v === "string") return head + goQuote(v);
  if (Array.isArray(v) || isMap(v)) {
    const items = Array.isArray(v)
      ? v.map((e) => dumpValue(e, depth + 1))
      : sortedKeys(v).map((k) => `${dumpValue(k, depth + 1)}: ${dumpValue(v[k], depth + 1)}`);
    const body = items.map((s) => pad(depth + 1) + s).join(",\n");
    return `${head}{\n${body}${body ? "\n" : ""}${pad(depth)}}`;
  }
  return head + formatV(v);
}

export const spewSdump = (...args: unknown[]): string =>
  args.map((a) => dumpValue(a, 0) + "\n").join("");

function printValue(v: unknown, typed: boolean): string {
  if (v === null || v === undefined) return typed ? "(interface {})<nil>" : "<nil>";
  const type = typed ? `(${goTypeName(v)})` : "";
  if (Array.isArray(v)) return `${type}[${v.map((e) => printValue(e, typed)).join(" ")}]`;
  if (isMap(v)) {
    const pairs = sortedKeys(v).map((k) => `${k}:${printValue(v[k], typed)}`);
    return `${type}map[${pairs.join(" ")}]`;
  }
  return type + formatV(v);
}

/** Replaces each %v-family directive's operand by spew's text, printed with %s. */
export function spewSprintf(format: string, ...args: unknown[]): string {
  let argi = 0;
  const out: unknown[] = [];
  const rewritten = format.replace(
    /%([-+# 0]*)(\d*|\*)(?:\.(\d*|\*))?([a-zA-Z%])/g,
    (whole, flags: string, width: string, prec: string | undefined, verb: string) => {
      if (verb === "%") return whole;
      for (const n of [width, prec]) if (n === "*") out.push(args[argi++]);
      if (argi >= args.length) return whole;
      const a = args[argi++];
      if (verb !== "v") {
        out.push(a);
        return whole;
      }
      out.push(printValue(a, flags.includes("#")));
      return "%s";
    },
  );
  const extra = args.slice(argi);
  if (extra.length === 0) return sprintf(rewritten, out);
  const shown = extra.map((a) => `*spew.formatState=${printValue(a, false)}`).join(", ");
  return `${sprintf(rewritten, out)}%!(EXTRA ${shown})`;
}

export const spewQuiet = (): string => "";
