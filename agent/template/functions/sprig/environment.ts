/**
 * Sprig's `env` and `expandenv` (os.Getenv, os.ExpandEnv), reading the
 * environment the runner gives templates, as consul-template's own `env`
 * does.
 */
import { define, type TemplateFunction } from "../types.ts";

type Lookup = (name: string) => string | undefined;

const isSpecial = (c: string): boolean => /^[*#$@!?\-0-9]$/.test(c);

/** Go's getShellName: the variable name after a `$`, and how many characters it used. */
function shellName(s: string): [string, number] {
  if (s[0] === "{") {
    if (s.length > 2 && isSpecial(s[1]!) && s[2] === "}") return [s[1]!, 3];
    const close = s.indexOf("}", 1);
    if (close === 1) return ["", 2];
    return close < 0 ? ["", 1] : [s.slice(1, close), close + 1];
  }
  if (isSpecial(s[0]!)) return [s[0]!, 1];
  const m = /^[A-Za-z0-9_]*/.exec(s)![0];
  return [m, m.length];
}

/** os.Expand: `$NAME` and `${NAME}` replaced; bad `${` syntax eaten; a lone `$` kept. */
export function expand(s: string, lookup: Lookup): string {
  let out = "";
  let i = 0;
  for (let j = 0; j < s.length; j++) {
    if (s[j] !== "$" || j + 1 >= s.length) continue;
    out += s.slice(i, j);
    const [name, width] = shellName(s.slice(j + 1));
    if (name === "" && width === 0) out += "$";
    else if (name !== "") out += lookup(name) ?? "";
    j += width;
    i = j + 1;
  }
  return out + s.slice(i);
}

export function sprigEnvironmentFunctions(lookup: Lookup): Record<string, TemplateFunction> {
  return {
    sprig_env: define(["string"], (name: string) => lookup(name) ?? ""),
    sprig_expandenv: define(["string"], (s: string) => expand(s, lookup)),
  };
}
