import type { DependencyKindModule } from "./kind.ts";

/**
 * `pkiCert "pki/issue/role" "common_name=..."`: issued with a PUT, kept
 * until late in the certificate's life (not its lease), and a certificate
 * already in the destination file is reused while valid, as Vault Agent does.
 */
export const pkiCert: DependencyKindModule = {
  kind: "pki.cert",
  request: (dep, ctx) => ctx.calls.write(ctx.token, dep.path, Object.fromEntries(dep.params)),
  value(_dep, res) {
    const data = (res.data ?? {}) as Record<string, unknown>;
    const chain = data["ca_chain"];
    return {
      Cert: pem(data["certificate"]),
      Key: pem(data["private_key"]),
      CA: pem(data["issuing_ca"]),
      CAChain: Array.isArray(chain) ? chain.map(String) : [],
      Data: data,
    };
  },
  schedule: "certificate",
  reusesFileCertificate: true,
};

/**
 * A PEM block as pkiCert shows it: ending in a newline, as Go's PEM encoder
 * writes it (Vault's JSON leaves the newline off; Vault Agent renders it).
 */
function pem(v: unknown): string {
  const text = typeof v === "string" ? v : "";
  return text === "" || text.endsWith("\n") ? text : `${text}\n`;
}
