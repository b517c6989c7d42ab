import type { AnnotationReader } from "./parse.ts";
import type { SecretSpec, SignalSpec } from "./spec.ts";
import { A, fullName, PREFIX, SECRET_DEFINING } from "./table.ts";
import { parseSecretFile } from "./table/secrets.ts";
import { matchAnnotation } from "./names.ts";

/**
 * Finds the secrets a pod defines and reads each one's per-secret
 * annotations. A secret is defined by a non-blank `agent-inject-secret-`,
 * `agent-inject-template-file-` or `agent-inject-template-` annotation,
 * tried in that order. Secrets keep the order their annotations appear in.
 */
export function collectSecrets(
  r: AnnotationReader,
  defaultMountPath: string,
): { secrets: SecretSpec[]; warnings: string[] } {
  const rawNames: string[] = [];
  for (const [key, value] of Object.entries(r.annotations)) {
    if (!key.startsWith(PREFIX) || value.trim() === "") continue;
    for (const head of SECRET_HEADS) {
      if (!key.startsWith(head)) continue;
      const raw = key.slice(head.length);
      if (raw !== "" && !rawNames.includes(raw)) rawNames.push(raw);
      break;
    }
  }

  const secrets = rawNames.map((raw) => readSecret(r, raw, defaultMountPath));
  checkDestinations(r, secrets);
  return { secrets, warnings: orphanWarnings(r, new Set(rawNames)) };
}

/** `vault.hashicorp.com/NAME-` of the secret-defining annotations, in matching order. */
const SECRET_HEADS: readonly string[] = SECRET_DEFINING.map((d) => fullName(d) + "-");

function readSecret(r: AnnotationReader, raw: string, defaultMountPath: string): SecretSpec {
  const preserve = r.get(A.preserveCaseFor, raw) ?? r.value(A.preserveCase);
  const name = preserve ? raw : raw.toLowerCase();
  const template = nonBlank(r.get(A.template, raw));
  const templateFile = template === undefined ? nonBlank(r.get(A.templateFile, raw)) : undefined;
  const engine = r.get(A.engine, raw) ?? "go";
  // An empty agent-inject-file means "the default", as in the reference.
  let file = r.raw(A.file, raw) ? r.get(A.file, raw) : undefined;
  if (file === undefined && !r.raw(A.file, raw)) {
    try {
      file = parseSecretFile(name);
    } catch (err) {
      r.problem(
        `secret "${raw}": its name as a file ${(err as Error).message.split(";")[0]}; set ${fullName(A.file, raw)} to a plain file name`,
      );
    }
  }
  if (engine === "handlebars" && template === undefined && templateFile === undefined) {
    r.problem(
      `${fullName(A.engine, raw)}: "handlebars" needs a handlebars template; add ${fullName(A.template, raw)} ` +
        `or ${fullName(A.templateFile, raw)} (the default template is Go syntax)`,
    );
  }
  return {
    name,
    rawName: raw,
    path: nonBlank(r.get(A.secret, raw)),
    template,
    templateFile,
    mountPath: r.get(A.secretVolumePathFor, raw) ?? defaultMountPath,
    file: file ?? name,
    perms: r.get(A.perms, raw),
    command: nonBlank(r.get(A.command, raw)),
    errorOnMissingKey: r.value(A.errorOnMissingKey, raw),
    leftDelimiter: nonBlank(r.get(A.leftDelim, raw)),
    rightDelimiter: nonBlank(r.get(A.rightDelim, raw)),
    engine,
    signal: readSignal(r, raw),
  };
}

/**
 * agent-inject-signal-NAME with exactly one target. A target without a
 * signal is an error too: it would silently do nothing.
 */
function readSignal(r: AnnotationReader, raw: string): SignalSpec | undefined {
  const hasSignal = r.has(A.signal, raw);
  const signal = r.get(A.signal, raw);
  const processName = r.get(A.signalProcess, raw);
  const pidFile = r.get(A.signalPidFile, raw);
  const hasTarget = r.has(A.signalProcess, raw) || r.has(A.signalPidFile, raw);
  if (!hasSignal) {
    if (hasTarget) {
      const given = r.has(A.signalProcess, raw) ? A.signalProcess : A.signalPidFile;
      r.problem(
        `${fullName(given, raw)} names a process to signal but no signal is set; add ${fullName(A.signal, raw)}, e.g. "SIGHUP"`,
      );
    }
    return undefined;
  }
  if (r.has(A.signalProcess, raw) && r.has(A.signalPidFile, raw)) {
    r.problem(
      `${fullName(A.signal, raw)}: both ${fullName(A.signalProcess, raw)} and ${fullName(A.signalPidFile, raw)} are set; keep one of them`,
    );
    return undefined;
  }
  if (!hasTarget) {
    r.problem(
      `${fullName(A.signal, raw)} needs a target: add ${fullName(A.signalProcess, raw)} (the process name as ps shows it) or ${fullName(A.signalPidFile, raw)}`,
    );
    return undefined;
  }
  if (signal === undefined || (processName === undefined && pidFile === undefined))
    return undefined;
  return { signal, processName, pidFile };
}

function nonBlank(v: string | undefined): string | undefined {
  return v === undefined || v === "" ? undefined : v;
}

/** Two secrets writing the same file would overwrite each other on every render. */
function checkDestinations(r: AnnotationReader, secrets: SecretSpec[]): void {
  const seen = new Map<string, string>();
  for (const s of secrets) {
    const dest = `${s.mountPath}/${s.file}`;
    const other = seen.get(dest);
    if (other !== undefined) {
      r.problem(
        `secrets "${other}" and "${s.rawName}" both write ${dest}; give one of them another ${PREFIX}agent-inject-file-NAME`,
      );
    } else seen.set(dest, s.rawName);
  }
}

/** Per-secret annotations whose NAME defines no secret are almost always typos. */
function orphanWarnings(r: AnnotationReader, defined: Set<string>): string[] {
  const out: string[] = [];
  for (const key of Object.keys(r.annotations)) {
    const m = matchAnnotation(key);
    if (!m || m.def.kind !== "per-secret" || m.suffix === undefined) continue;
    if (SECRET_DEFINING.includes(m.def as (typeof SECRET_DEFINING)[number])) continue;
    if (defined.has(m.suffix)) continue;
    out.push(
      `${key} refers to secret "${m.suffix}", but no ${fullName(A.secret)}-${m.suffix} or ${fullName(A.template)}-${m.suffix} defines it; it has no effect`,
    );
  }
  return out;
}
