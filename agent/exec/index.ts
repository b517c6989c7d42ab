/** exec supervisor mode: the app as the agent's child, secrets in its environment. */
export {
  createSupervisor,
  exitCodeOf,
  DEFAULT_KILL_GRACE_MS,
  FORWARDED_SIGNALS,
  type Supervisor,
  type SupervisorOptions,
  type ExitResult,
  type UpdateOutcome,
} from "./supervisor.ts";
export { mergeEnv, envChanges, type EnvValues } from "./env.ts";
