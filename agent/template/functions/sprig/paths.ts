/** Go's path package (slash-separated paths; filepath is the same on Linux). */

/** path.Clean: the shortest equivalent path by lexical processing. */
export function clean(p: string): string {
  if (p === "") return ".";
  const rooted = p.startsWith("/");
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (!rooted) out.push("..");
      continue;
    }
    out.push(part);
  }
  const body = out.join("/");
  if (rooted) return "/" + body;
  return body === "" ? "." : body;
}

export function base(p: string): string {
  if (p === "") return ".";
  const trimmed = p.replace(/\/+$/, "");
  if (trimmed === "") return "/";
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

export function dir(p: string): string {
  const i = p.lastIndexOf("/");
  return clean(p.slice(0, i + 1));
}

export function ext(p: string): string {
  for (let i = p.length - 1; i >= 0 && p[i] !== "/"; i--) if (p[i] === ".") return p.slice(i);
  return "";
}

export const isAbs = (p: string): boolean => p.startsWith("/");
