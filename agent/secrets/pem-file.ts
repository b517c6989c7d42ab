import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";

/**
 * A certificate and its key found in a file an earlier run rendered with
 * `pkiCert`, shaped like PKI's issue response so the store can adopt it
 * instead of issuing a new certificate at every restart. The leaf is the
 * certificate that matches the private key; its issuer, when present, is
 * the CA; other certificates form the chain.
 */
export interface PemBundle {
  certificate: string;
  private_key: string;
  issuing_ca: string;
  ca_chain: string[];
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

export function bundleFromPem(text: string): PemBundle | undefined {
  const certs: Array<{ pem: string; x509: X509Certificate }> = [];
  let key: { pem: string; obj: KeyObject } | undefined;
  for (const m of text.matchAll(BLOCK)) {
    const pem = m[0];
    try {
      if (m[1] === "CERTIFICATE") certs.push({ pem, x509: new X509Certificate(pem) });
      else if (m[1]!.endsWith("PRIVATE KEY") && !key) key = { pem, obj: createPrivateKey(pem) };
    } catch {
      return undefined;
    }
  }
  if (!key) return undefined;
  const leaf = certs.find((c) => c.x509.checkPrivateKey(key.obj));
  if (!leaf) return undefined;
  const others = certs.filter((c) => c !== leaf);
  const ca = others.find((c) => leaf.x509.checkIssued(c.x509));
  return {
    certificate: leaf.pem,
    private_key: key.pem,
    issuing_ca: ca?.pem ?? "",
    ca_chain: others.map((c) => c.pem),
  };
}
