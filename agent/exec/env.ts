/** Rendered env_template values by variable name. */
export type EnvValues = Record<string, string>;

/** The app's environment: the agent's own, with the rendered values on top. */
export function mergeEnv(base: NodeJS.ProcessEnv, values: EnvValues): NodeJS.ProcessEnv {
  return { ...base, ...values };
}

/** Names whose value differs, appeared or disappeared (sorted; never the values). */
export function envChanges(before: EnvValues, after: EnvValues): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => before[n] !== after[n]).sort();
}
