import { VaultletError } from "../../shared/errors.ts";

export async function main(_argv: string[]): Promise<number> {
  throw new VaultletError("NOT_BUILT", "this command is not built yet");
}
