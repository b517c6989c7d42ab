import type { Container, Pod } from "../pod.ts";
import { containersOf } from "../pod.ts";
import type { AnnotationReader } from "./parse.ts";
import type { SecretSpec, SecuritySpec } from "./spec.ts";
import { A, fullName } from "./table.ts";

/** The ids a container's processes get: its own securityContext first, then the pod's. */
export interface EffectiveIds {
  /** undefined: set by neither, so the image's user, which admission cannot see */
  readonly uid: number | undefined;
  readonly gid: number | undefined;
}

export function effectiveIds(pod: Pod, c: Container): EffectiveIds {
  const own = c.securityContext;
  const podLevel = pod.spec?.securityContext;
  return {
    uid: own?.runAsUser ?? podLevel?.runAsUser ?? undefined,
    gid: own?.runAsGroup ?? podLevel?.runAsGroup ?? undefined,
  };
}

/**
 * The agent containers' ids. When the pod asks for the reference's defaults
 * they stay; when a template signals the app, the agent must share the
 * app's uid (Linux lets a process without CAP_KILL signal only its own
 * uid), so it runs as the signalled container's uid and gid unless the pod
 * named a user itself. Never root on its own account: a root target is
 * refused, with the fix.
 */
export function securitySpec(
  r: AnnotationReader,
  pod: Pod,
  secrets: readonly SecretSpec[],
  appContainers: readonly string[],
): { security: SecuritySpec; warnings: string[] } {
  const explicitSet = r.get(A.setSecurityContext);
  const idsGiven = r.has(A.runAsUser) || r.has(A.runAsGroup) || r.has(A.runAsSameUser);
  // The reference turns the security context on when a pod names ids, so they apply.
  const set = explicitSet ?? (r.settings.setSecurityContext || idsGiven);
  const sameUser = r.value(A.runAsSameUser);
  let runAsUser = r.value(A.runAsUser);
  if (sameUser) {
    const same = firstAppUser(containersOf(pod)[0]);
    if (typeof same === "string") r.problem(`${fullName(A.runAsSameUser)}: ${same}`);
    else runAsUser = same;
  }
  const security = { set, runAsUser, runAsGroup: r.value(A.runAsGroup) };
  const signalled = secrets.find((s) => s.signal !== undefined);
  if (signalled === undefined) return { security, warnings: [] };
  return signalUser(r, pod, security, {
    signal: fullName(A.signal, signalled.rawName),
    target: signalTarget(pod, appContainers),
    userChosen: r.has(A.runAsUser) || sameUser,
    appContainers,
  });
}

function firstAppUser(c: Container | undefined): number | string {
  const uid = c?.securityContext?.runAsUser;
  if (uid === undefined || uid === null) {
    return "the first container has no securityContext.runAsUser; set one on it or remove this annotation";
  }
  if (uid === 0)
    return "the first container runs as root (uid 0); the agent is not run as root, use agent-run-as-user instead";
  return uid;
}

/**
 * The container whose processes the agent signals: the first one named in
 * agent-inject-containers (the containers that read the files), by default
 * the pod's first container, as agent-run-as-same-user reads.
 */
export function signalTarget(pod: Pod, appContainers: readonly string[]): Container {
  const containers = containersOf(pod);
  for (const name of appContainers) {
    const c = containers.find((x) => x.name === name);
    if (c) return c;
  }
  return containers[0]!;
}

interface SignalNeed {
  /** the first signal annotation, to name in messages */
  readonly signal: string;
  readonly target: Container;
  /** agent-run-as-user or agent-run-as-same-user chose the uid */
  readonly userChosen: boolean;
  /** the containers that get the secrets */
  readonly appContainers: readonly string[];
}

function signalUser(
  r: AnnotationReader,
  pod: Pod,
  security: SecuritySpec,
  need: SignalNeed,
): { security: SecuritySpec; warnings: string[] } {
  const { signal, target, userChosen } = need;
  const ids = effectiveIds(pod, target);
  const where = `container "${target.name}"`;
  const user = fullName(A.runAsUser);
  if (!security.set) {
    const shown = ids.uid === undefined ? "" : ` (${ids.uid})`;
    return {
      security,
      warnings: [
        `${signal}: ${fullName(A.setSecurityContext)} is false, so the agent runs as its image's user and can signal only processes of that uid; remove it to let the agent run as ${where}'s uid${shown}`,
      ],
    };
  }
  if (userChosen) {
    if (ids.uid === undefined || ids.uid === security.runAsUser) return { security, warnings: [] };
    return {
      security,
      warnings: [
        `${signal}: the agent runs as uid ${security.runAsUser} but ${where} runs as uid ${ids.uid}, and a process can signal only processes of its own uid (without CAP_KILL), so the signal will fail; set ${user} to "${ids.uid}" or remove it`,
      ],
    };
  }
  if (ids.uid === undefined) {
    return {
      security,
      warnings: [
        `${signal}: ${where} runs as its image's user, whose uid admission cannot see, so the agent keeps uid ${security.runAsUser} and cannot signal it unless that is the same uid; set securityContext.runAsUser on ${where} or on the pod to the uid the image runs as, or set ${user} to it`,
      ],
    };
  }
  if (ids.uid === 0) {
    r.problem(
      `${signal}: ${where} runs as root (uid 0), and the agent is not run as root on its own account to signal it; ` +
        `run the app as a non-root uid (securityContext.runAsUser on the container or the pod), or set ${user}: "0" to accept an agent running as root`,
    );
    return { security, warnings: [] };
  }
  const groupChosen = r.has(A.runAsGroup);
  const runAsGroup = groupChosen || !ids.gid ? security.runAsGroup : ids.gid;
  return {
    security: { ...security, runAsUser: ids.uid, runAsGroup },
    warnings: otherUsers(pod, need, ids.uid),
  };
}

/** Other containers that get the secrets, of other uids: the agent cannot signal their processes. */
function otherUsers(pod: Pod, need: SignalNeed, uid: number): string[] {
  const { target, signal, appContainers } = need;
  const others = containersOf(pod).filter((c) => {
    const other = effectiveIds(pod, c).uid;
    return c !== target && appContainers.includes(c.name) && other !== undefined && other !== uid;
  });
  if (others.length === 0) return [];
  const list = others.map((c) => `"${c.name}" (uid ${effectiveIds(pod, c).uid})`).join(", ");
  return [
    `${signal}: the agent runs as container "${target.name}"'s uid ${uid}, so it cannot signal processes of ${list}; name the signalled container first in ${fullName(A.containers)}`,
  ];
}
