import { def, BOOL_FORM } from "./define.ts";
import { parseGoBool, parseList, parseText } from "../values.ts";

const str = parseText;
const bool = parseGoBool;

/** Turning injection on and off. */
export const INJECTION = {
  inject: def<boolean>({
    name: "agent-inject",
    kind: "global",
    section: "injection",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "absent = no injection",
    doc: "Inject the agent into this pod.",
  }),
  status: def<string>({
    name: "agent-inject-status",
    kind: "global",
    section: "injection",
    form: "string",
    parse: str,
    defaultDoc: "—",
    doc: "Written as `injected` after mutation; a pod that already says `injected` is left alone. Any other value (e.g. `update`) allows injecting again.",
  }),
  requestNamespace: def<string>({
    name: "agent-request-namespace",
    kind: "global",
    section: "injection",
    form: "string",
    parse: str,
    defaultDoc: "—",
    doc: "Written by the reference injector; accepted and ignored (the admission request's namespace is used).",
  }),
  prePopulate: def<boolean>({
    name: "agent-pre-populate",
    kind: "global",
    section: "injection",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => true,
    defaultDoc: "true",
    doc: "Add an init container that renders the secrets once before the application starts.",
  }),
  prePopulateOnly: def<boolean>({
    name: "agent-pre-populate-only",
    kind: "global",
    section: "injection",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Only the init container; no long-running agent.",
  }),
  initFirst: def<boolean>({
    name: "agent-init-first",
    kind: "global",
    section: "injection",
    form: BOOL_FORM,
    parse: bool,
    defaultValue: () => false,
    defaultDoc: "false",
    doc: "Put the agent's init container before the pod's other init containers instead of after them.",
  }),
  containers: def<string[]>({
    name: "agent-inject-containers",
    kind: "global",
    section: "injection",
    form: "comma-separated container names",
    parse: parseList,
    defaultDoc: "all application containers",
    doc: "Application containers that get the secrets mount.",
  }),
} as const;
