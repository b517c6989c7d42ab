/**
 * What the webhook did to the checkout pod, in words: the pod template of
 * deploy/examples/kubernetes/checkout.yaml against the pod the API server
 * created from it.
 */
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One line per change the webhook made, in words. */
export function summarise(before: Obj, after: Obj): string[] {
  const lines: string[] = [];
  const names = (list: Obj[] | undefined) => new Set((list ?? []).map((x) => x.name));
  const newOf = (b: Obj[] | undefined, a: Obj[] | undefined) =>
    (a ?? []).filter((x) => !names(b).has(x.name));
  for (const c of newOf(before.spec.initContainers, after.spec.initContainers)) {
    const kind = c.restartPolicy === "Always" ? "native sidecar" : "init container";
    const probe = c.startupProbe?.httpGet
      ? `, startup probe GET ${c.startupProbe.httpGet.path} :${c.startupProbe.httpGet.port}`
      : "";
    lines.push(`+ ${kind} ${c.name}: ${c.command.join(" ")}${probe}`);
  }
  for (const c of newOf(before.spec.containers, after.spec.containers)) {
    lines.push(`+ sidecar container ${c.name}: ${c.command.join(" ")}`);
  }
  for (const v of newOf(before.spec.volumes, after.spec.volumes)) {
    const token = v.projected?.sources?.find(
      (s: Obj) => s.serviceAccountToken,
    )?.serviceAccountToken;
    const what = token
      ? `projected service-account token, audience "${token.audience}", ${token.expirationSeconds} s`
      : v.emptyDir?.medium === "Memory"
        ? `in-memory emptyDir${v.emptyDir.sizeLimit ? ` (sizeLimit ${v.emptyDir.sizeLimit})` : ""}`
        : "emptyDir";
    lines.push(`+ volume ${v.name}: ${what}`);
  }
  for (const c of after.spec.containers as Obj[]) {
    const old = (before.spec.containers as Obj[]).find((x) => x.name === c.name);
    if (!old) continue;
    const added = (c.volumeMounts ?? []).filter(
      (m: Obj) => !(old.volumeMounts ?? []).some((o: Obj) => o.name === m.name),
    );
    for (const m of added) lines.push(`~ container ${c.name}: mounts ${m.name} at ${m.mountPath}`);
  }
  if (after.spec.shareProcessNamespace && !before.spec.shareProcessNamespace) {
    lines.push("~ shareProcessNamespace: true");
  }
  const status = after.metadata.annotations?.["vault.hashicorp.com/agent-inject-status"];
  if (status) lines.push(`~ annotation agent-inject-status: ${status}`);
  return lines;
}
