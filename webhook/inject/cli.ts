import { readFile } from "node:fs/promises";
import { text as readStream } from "node:stream/consumers";
import { VaultletError } from "../../shared/errors.ts";
import { injectPod } from "../mutate/inject.ts";
import { settingsFromEnvAndFlags, settingsUsage } from "../settings.ts";
import { DEFAULT_NAMESPACE, injectManifests } from "./manifests.ts";

const USAGE = `usage: vaultlet inject -f FILE [-f FILE...] [-n NAMESPACE] [settings]

Rewrites Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs,
CronJobs and Lists in multi-document YAML exactly as the webhook would, and
prints the result. Other documents are copied unchanged. Warnings go to
stderr; a refused annotation prints its message and exits 1 with no output.

  -f, --filename FILE   manifest file, "-" for stdin (repeatable)
  -n, --namespace NS    namespace of objects that name none (default "${DEFAULT_NAMESPACE}")

`;

interface InjectArgs {
  files: string[];
  namespace: string;
  rest: string[];
  help: boolean;
}

/** Pulls out the inject command's own flags; everything else is a webhook setting. */
export function parseInjectArgs(argv: string[]): InjectArgs {
  const args: InjectArgs = { files: [], namespace: DEFAULT_NAMESPACE, rest: [], help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^(-f|--filename|-n|--namespace)(?:=(.*))?$/s.exec(arg);
    if (arg === "-h" || arg === "--help") {
      args.help = true;
    } else if (m) {
      let value = m[2];
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined) throw new VaultletError("USAGE", `${m[1]} needs a value`);
      }
      if (m[1] === "-f" || m[1] === "--filename") args.files.push(value);
      else args.namespace = value;
    } else {
      args.rest.push(arg);
    }
  }
  return args;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseInjectArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE + settingsUsage());
    return 0;
  }
  if (args.files.length === 0) {
    throw new VaultletError("USAGE", "no manifests given: use -f FILE (or -f - for stdin)");
  }
  const settings = settingsFromEnvAndFlags(process.env, args.rest);
  const outputs: string[] = [];
  const errors: string[] = [];
  for (const file of args.files) {
    const source = file === "-" ? "stdin" : file;
    const text = await readInput(file);
    const result = injectManifests(text, {
      settings,
      inject: injectPod,
      namespace: args.namespace,
      source,
    });
    for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
    errors.push(...result.errors);
    outputs.push(result.output);
  }
  if (errors.length > 0) {
    for (const e of errors) process.stderr.write(`error: ${e}\n`);
    return 1;
  }
  process.stdout.write(joinStreams(outputs));
  return 0;
}

async function readInput(file: string): Promise<string> {
  try {
    return file === "-" ? await readStream(process.stdin) : await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    throw new VaultletError("USAGE", `cannot read ${file === "-" ? "stdin" : file} (${code})`, {
      cause: err,
    });
  }
}

/** Several inputs become one stream: each ends with a newline and the next starts a document. */
export function joinStreams(outputs: string[]): string {
  return outputs
    .filter((o) => o.trim() !== "")
    .map((o) => (o.endsWith("\n") ? o : `${o}\n`))
    .map((o, i) => (i === 0 || startsWithMarker(o) ? o : `---\n${o}`))
    .join("");
}

/** True when the first line that is not blank or a comment is a `---` document marker. */
function startsWithMarker(text: string): boolean {
  const first = text.split("\n").find((l) => l.trim() !== "" && !l.trimStart().startsWith("#"));
  return first !== undefined && /^---(\s|$)/.test(first);
}
