/**
 * Checks within one agent's output: templates that ask for the same secret
 * with the same arguments must show the same fetch (one database user, one
 * certificate), because an agent fetches a dependency once and shares it.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";

/** Every database user name (v-<token>-<role>-<random>-<time>) for `role` in the texts. */
export function databaseUsers(texts: readonly string[], role: string): string[] {
  const pattern = new RegExp(`\\bv-[a-z0-9]+-${role}-[A-Za-z0-9]{20}-\\d{10}\\b`, "g");
  return texts.flatMap((t) => t.match(pattern) ?? []);
}

/** The first PEM block labelled `label` in the text. */
export function pemBlock(text: string, label: string): string {
  const match = new RegExp(
    `-----BEGIN ${label}-----\\n[A-Za-z0-9+/=\\n]+?-----END ${label}-----`,
  ).exec(text);
  if (!match) throw new Error(`no ${label} PEM block in the output`);
  return match[0];
}

/** The certificate's serial as Vault writes it: lower-case hex pairs joined by colons. */
export function vaultSerial(certPem: string): string {
  const hex = new X509Certificate(certPem).serialNumber.toLowerCase().padStart(2, "0");
  const even = hex.length % 2 ? `0${hex}` : hex;
  return even.match(/../g)!.join(":");
}

export function keyMatchesCertificate(certPem: string, keyPem: string): boolean {
  return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
}
