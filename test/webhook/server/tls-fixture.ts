import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateCa, issueServingCert } from "../../../webhook/tls/certs.ts";
import type { TlsMaterial } from "../../../webhook/tls/material.ts";

export interface TlsFixture {
  readonly dir: string;
  readonly ca: TlsMaterial;
  readonly certFile: string;
  readonly keyFile: string;
  /** A new serving cert for 127.0.0.1/localhost from the same CA. */
  issue(): Promise<TlsMaterial>;
  write(m: TlsMaterial): Promise<void>;
  cleanup(): Promise<void>;
}

/** A CA and a serving cert for loopback, written to a temporary directory. */
export async function tlsFixture(): Promise<TlsFixture & { first: TlsMaterial }> {
  const dir = await mkdtemp(join(tmpdir(), "vaultlet-webhook-tls-"));
  const ca = await generateCa();
  const issue = () => issueServingCert(ca, ["127.0.0.1", "localhost"]);
  const certFile = join(dir, "tls.crt");
  const keyFile = join(dir, "tls.key");
  const write = async (m: TlsMaterial) => {
    await writeFile(keyFile, m.keyPem);
    await writeFile(certFile, m.certPem);
  };
  const first = await issue();
  await write(first);
  return {
    dir,
    ca,
    certFile,
    keyFile,
    first,
    issue,
    write,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
