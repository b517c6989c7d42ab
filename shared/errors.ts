/**
 * One error class for the whole project: a stable `code` that callers and
 * tests match on (never the message text), an optional `cause`, and nothing
 * secret in the message. Subsystems subclass it only to add typed fields.
 */
export class VaultletError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "VaultletError";
    this.code = code;
  }
}

/** A message for logs and CLI output from anything thrown. */
export function describeError(err: unknown): string {
  if (err instanceof VaultletError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
