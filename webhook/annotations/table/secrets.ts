import { def, BOOL_FORM } from "./define.ts";
import { parseEnum, parseGoBool, parseOctalPerms, parseText } from "../values.ts";

/** Absolute mount path inside the containers. */
export function parseMountPath(raw: string): string {
  if (raw.includes("\0")) throw new Error("contains a NUL byte; use a plain absolute path");
  if (!raw.startsWith("/"))
    throw new Error('is not an absolute path; use a path like "/vault/secrets"');
  const segments = raw.split("/");
  if (segments.includes(".."))
    throw new Error('contains ".."; use a path without parent-directory steps');
  const clean = "/" + segments.filter((s) => s !== "" && s !== ".").join("/");
  if (clean === "/")
    throw new Error('would mount over the root directory; use a path like "/vault/secrets"');
  return clean;
}

/** A file path relative to the secrets mount; it must stay inside it. */
export function parseSecretFile(raw: string): string {
  if (raw.includes("\0")) throw new Error("contains a NUL byte; use a plain file name");
  const segments = raw.split("/").filter((s) => s !== "" && s !== ".");
  const out: string[] = [];
  for (const s of segments) {
    if (s === "..") {
      if (out.length === 0)
        throw new Error(
          'leaves the secrets volume; use a file name or a relative path without ".."',
        );
      out.pop();
    } else out.push(s);
  }
  if (out.length === 0) throw new Error('names no file; use a file name like "config.json"');
  return out.join("/");
}

/** Secrets: one entry per NAME, then the pod-wide settings of the secrets volume. */
export const SECRETS = {
  secret: def<string>({
    name: "agent-inject-secret",
    kind: "per-secret",
    section: "secrets",
    form: "Vault path",
    parse: parseText,
    defaultDoc: "—",
    doc: "Defines secret NAME: the Vault path rendered with the default template unless a template is given.",
  }),
  templateFile: def<string>({
    name: "agent-inject-template-file",
    kind: "per-secret",
    section: "secrets",
    form: "file path inside the agent container",
    parse: parseText,
    defaultDoc: "—",
    doc: "Template file for secret NAME (used when there is no inline template). Defines the secret on its own.",
  }),
  template: def<string>({
    name: "agent-inject-template",
    kind: "per-secret",
    section: "secrets",
    form: "template text",
    parse: parseText,
    defaultDoc: "the default template",
    doc: "Inline template for secret NAME. A template alone is enough to define a secret.",
  }),
  file: def<string>({
    name: "agent-inject-file",
    kind: "per-secret",
    section: "secrets",
    form: "file name or relative path",
    parse: parseSecretFile,
    defaultDoc: "NAME",
    doc: "File written under the secrets mount for secret NAME. A path that would leave the volume is rejected.",
  }),
  perms: def<number>({
    name: "agent-inject-perms",
    kind: "per-secret",
    section: "secrets",
    form: 'octal file mode, e.g. "0400"',
    parse: parseOctalPerms,
    defaultDoc: "the agent's default (0640)",
    doc: "File mode of secret NAME's file.",
  }),
  command: def<string>({
    name: "agent-inject-command",
    kind: "per-secret",
    section: "secrets",
    form: "command line",
    parse: parseText,
    defaultDoc: "—",
    doc:
      "Command the agent runs after secret NAME's file changes, through `/bin/sh -c` as in Vault Agent, so it needs an agent image with a shell " +
      "(vaultlet's own has none). To make the app reload, use agent-inject-signal-NAME instead.",
  }),
  errorOnMissingKey: def<boolean>({
    name: "error-on-missing-key",
    kind: "per-secret",
    section: "secrets",
    form: BOOL_FORM,
    parse: parseGoBool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Fail rendering secret NAME instead of printing `<no value>` for a missing key.",
  }),
  leftDelim: def<string>({
    name: "agent-template-left-delim",
    kind: "per-secret",
    section: "secrets",
    form: "string",
    parse: parseText,
    defaultDoc: "`{{`",
    doc: "Left template delimiter for secret NAME.",
  }),
  rightDelim: def<string>({
    name: "agent-template-right-delim",
    kind: "per-secret",
    section: "secrets",
    form: "string",
    parse: parseText,
    defaultDoc: "`}}`",
    doc: "Right template delimiter for secret NAME.",
  }),
  secretVolumePathFor: def<string>({
    name: "secret-volume-path",
    kind: "per-secret",
    section: "secrets",
    form: 'absolute path, e.g. "/etc/app/secrets"',
    parse: parseMountPath,
    defaultDoc: "secret-volume-path",
    doc: "Mount path for secret NAME; each distinct path gets its own in-memory volume.",
  }),
  preserveCaseFor: def<boolean>({
    name: "preserve-secret-case",
    kind: "per-secret",
    section: "secrets",
    form: BOOL_FORM,
    parse: parseGoBool,
    defaultDoc: "preserve-secret-case",
    doc: "Keep secret NAME's case in the file name (otherwise lowercased).",
  }),
  secretVolumePath: def<string>({
    name: "secret-volume-path",
    kind: "global",
    section: "secrets",
    form: 'absolute path, e.g. "/vault/secrets"',
    parse: parseMountPath,
    defaultValue: () => "/vault/secrets",
    defaultDoc: "/vault/secrets",
    doc: "Mount path of the secrets volume in the application and agent containers.",
  }),
  preserveCase: def<boolean>({
    name: "preserve-secret-case",
    kind: "global",
    section: "secrets",
    form: BOOL_FORM,
    parse: parseGoBool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Keep every secret NAME's case (otherwise lowercased).",
  }),
  defaultTemplate: def<"map" | "json">({
    name: "agent-inject-default-template",
    kind: "global",
    section: "secrets",
    form: '"map" or "json"',
    parse: (raw) => parseEnum(raw, ["map", "json"] as const),
    defaultValue: (s) => s.defaultTemplate,
    defaultDoc: "map (flag -default-template)",
    doc: "Default template: `map` prints `key: value` lines of `.Data`, `json` prints `.Data` as JSON.",
  }),
  injectToken: def<boolean>({
    name: "agent-inject-token",
    kind: "global",
    section: "secrets",
    form: BOOL_FORM,
    parse: parseGoBool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Also write the agent's Vault token to `<secret-volume-path>/token`.",
  }),
} as const;
