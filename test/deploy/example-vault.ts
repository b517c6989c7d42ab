/**
 * The examples' Vault side (deploy/examples/vault/mounts.sh, then roles.sh),
 * run with the real `bao` CLI against a test's OpenBao, as an operator runs
 * them on a real server.
 */
import { execFile } from "node:child_process";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { findBaoBinary, type OpenBaoServer } from "../support/openbao.ts";

const VAULT_SCRIPTS = resolve(import.meta.dirname, "../../deploy/examples/vault");
const run = promisify(execFile);

export async function runExampleVaultScripts(bao: OpenBaoServer): Promise<void> {
  // The dev server mounts secret/ itself; mounts.sh creates it as on a real server.
  await bao.api("DELETE", "sys/mounts/secret");
  const env = {
    ...process.env,
    VAULT_CLI: findBaoBinary(),
    VAULT_ADDR: bao.address,
    VAULT_TOKEN: bao.rootToken,
    BAO_ADDR: bao.address,
    BAO_TOKEN: bao.rootToken,
  };
  await run("bash", [join(VAULT_SCRIPTS, "mounts.sh")], { env });
  await run("bash", [join(VAULT_SCRIPTS, "roles.sh")], { env });
}
