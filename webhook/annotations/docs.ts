import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ANNOTATIONS, PREFIX, type AnnotationDef, type Section } from "./table.ts";
import { defaultSettings, SETTINGS } from "../settings.ts";

/**
 * deploy/docs/annotations.md is generated from the annotation table so the
 * reference cannot drift from what the webhook parses. Regenerate with
 * `node webhook/annotations/docs.ts`; a test fails when the file is stale.
 */
export const DOCS_PATH = "deploy/docs/annotations.md";

const SECTIONS: ReadonlyArray<[Section, string, string]> = [
  ["injection", "Turning injection on and off", ""],
  [
    "secrets",
    "Secrets (one entry per NAME)",
    "A secret NAME is defined by `agent-inject-secret-NAME`, `agent-inject-template-file-NAME` or `agent-inject-template-NAME` " +
      "(matched in that order, so `agent-inject-template-file-x` is the template file of `x`). " +
      "Paths that would leave the secrets volume (`..`, NUL bytes) are rejected.",
  ],
  ["agent", "Agent containers", ""],
  ["vault", "Talking to Vault", ""],
  [
    "vaultlet",
    "vaultlet extensions",
    "These go beyond the reference injector. The same names work with the settings shown as defaults.",
  ],
];

const DELIVERY: readonly string[] = [
  "## What the agent containers run",
  "",
  "The agent containers need no shell. The generated config (Vault Agent's JSON form) is passed " +
    "base64-encoded in the `VAULT_CONFIG` environment variable, as the reference injector does, and the " +
    "command is `vaultlet agent -config-env=VAULT_CONFIG`. With `agent-configmap` the command is " +
    "`vaultlet agent -config=/vault/configs/config.hcl` (`config-init.hcl` for the init container). " +
    "The init container's config has `exit_after_auth: true`; the long-running agent's does not.",
  "",
  "The native sidecar (`agent-native-sidecar`) is one init container named `vault-agent` with " +
    "`restartPolicy: Always`. Its startup probe is `GET /ready` on port 8201, the agent's ops endpoint, " +
    "which answers 200 after the first complete render. The kubelet probes the pod IP, so in this mode the " +
    "ops endpoint listens on `0.0.0.0:8201` (config key `vaultlet.listen`); it serves health, readiness and " +
    "metrics, never secrets. A plain sidecar's stays on `127.0.0.1:8201`; the init container opens no port.",
  "",
  "The agent image may be Vault's or OpenBao's (`agent-image`, or the injector's `-vault-image`; an image " +
    "named `vault`, `vault-*`, `openbao` or `bao`). Its agent reads only Vault Agent's keys, so the webhook then " +
    "writes none of vaultlet's, starts it as the reference injector does (`/bin/sh -ec`, the config written to " +
    "`/home/vault/config.json`), and says at admission what such an agent cannot do: a signal or " +
    "`agent-revoke-on-shutdown` is left out with a warning, a native sidecar gets no startup probe (warned), " +
    "and a handlebars template is refused.",
  "",
  "The projected token volume `vaultlet-token` is mounted read-only at " +
    "`/var/run/secrets/vaultlet.io/serviceaccount` in the agent containers only; the login reads its " +
    "`token` file (`token_path` for kubernetes auth, `path` for jwt auth).",
  "",
];

/** The webhook-wide settings many annotation defaults come from. */
function settingsSection(): string[] {
  const defaults = defaultSettings() as unknown as Record<string, unknown>;
  const show = (v: unknown): string => {
    if (v === undefined || v === "" || (Array.isArray(v) && v.length === 0)) return "—";
    return `\`${Array.isArray(v) ? v.join(",") : String(v)}\``;
  };
  return [
    "## Injector settings",
    "",
    "Flags of `vaultlet webhook` (Go style `-flag=value` or `--flag value`); each environment variable, " +
      "when set and not empty, wins over its flag. Durations are Go durations.",
    "",
    "| flag | environment variable | default | meaning |",
    "|---|---|---|---|",
    ...SETTINGS.map(
      (d) => `| \`-${d.flag}\` | \`${d.env}\` | ${cell(show(defaults[d.key]))} | ${cell(d.help)} |`,
    ),
    "",
  ];
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

function displayName(d: AnnotationDef): string {
  if (d.kind === "per-secret") return `\`${d.name}-NAME\``;
  if (d.kind === "keyed") return `\`${d.name}-KEY\``;
  return `\`${d.name}\``;
}

export function renderAnnotationDocs(): string {
  const out: string[] = [
    "# Pod annotations",
    "",
    "<!-- Generated from webhook/annotations/table.ts by `node webhook/annotations/docs.ts`; do not edit. -->",
    "",
    `Every name starts with \`${PREFIX}\`. Booleans accept \`true\`/\`false\`, \`1\`/\`0\`, \`t\`/\`f\` ` +
      "(Go's strconv.ParseBool; an empty value is false). Durations use Go syntax (`30s`, `1h30m`) or bare seconds. " +
      "A bad value rejects the pod with the annotation's name, the value and the accepted form; an unknown " +
      `\`${PREFIX}*\` name is accepted with a warning that suggests the nearest known name. ` +
      "Defaults are applied when the spec is built; the pod's annotations are never rewritten " +
      "(except `agent-inject-status: injected`).",
    "",
  ];
  for (const [section, title, intro] of SECTIONS) {
    out.push(`## ${title}`, "");
    if (intro) out.push(intro, "");
    out.push("| annotation | value | default | meaning |", "|---|---|---|---|");
    for (const d of ANNOTATIONS.filter((a) => a.section === section)) {
      const meaning =
        d.extension && section !== "vaultlet" ? `vaultlet extension. ${d.doc}` : d.doc;
      out.push(
        `| ${displayName(d)} | ${cell(d.form)} | ${cell(d.defaultDoc)} | ${cell(meaning)} |`,
      );
    }
    out.push("");
  }
  out.push(...DELIVERY, ...settingsSection());
  return out.join("\n");
}

/**
 * The committed form: the Markdown run through the project's formatter, so
 * `prettier --check` and the staleness test agree. Prettier is a development
 * tool, loaded only here.
 */
export async function formattedAnnotationDocs(): Promise<string> {
  const prettier = await import("prettier");
  return prettier.format(renderAnnotationDocs(), { parser: "markdown", printWidth: 100 });
}

async function main(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const target = resolve(root, DOCS_PATH);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, await formattedAnnotationDocs());
  process.stdout.write(`wrote ${DOCS_PATH}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
