/**
 * The cluster's certificates and keys, made with the openssl CLI: a CA, the
 * API server's serving certificate (the bridge address and the `kubernetes`
 * Service names), its client certificate for the kubelet, and the
 * service-account signing key pair (RSA, so jwt auth and JWKS readers accept it).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { ClusterTokens } from "./config.ts";

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** P-256: quick to make on a loaded machine, and every component reads it. */
function ecKey(out: string): void {
  openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", out]);
}

function signed(dir: string, name: string, subject: string, ext: string): void {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  ecKey(key);
  openssl(["req", "-new", "-key", key, "-subj", subject, "-out", csr]);
  openssl([
    ...["x509", "-req", "-in", csr, "-CA", join(dir, "ca.crt"), "-CAkey", join(dir, "ca.key")],
    ...["-CAcreateserial", "-days", "30", "-extfile", extFile, "-out", join(dir, `${name}.crt`)],
  ]);
}

export function createPki(dir: string, gateway: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  ecKey(join(dir, "ca.key"));
  openssl([
    ...["req", "-x509", "-new", "-key", join(dir, "ca.key"), "-days", "30"],
    ...["-subj", "/CN=vaultlet-test-cluster-ca", "-out", join(dir, "ca.crt")],
  ]);
  const dns = ["kubernetes", "kubernetes.default", "kubernetes.default.svc"];
  const sans = [...dns, "kubernetes.default.svc.cluster.local", "localhost"].map((d) => `DNS:${d}`);
  signed(
    dir,
    "apiserver",
    "/CN=kube-apiserver",
    `subjectAltName=${[...sans, `IP:${gateway}`, "IP:127.0.0.1"].join(",")}\n` +
      "extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n",
  );
  signed(
    dir,
    "apiserver-kubelet-client",
    "/O=system:masters/CN=kube-apiserver-kubelet-client",
    "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n",
  );
  openssl(["genrsa", "-out", join(dir, "sa.key"), "2048"]);
  openssl(["rsa", "-in", join(dir, "sa.key"), "-pubout", "-out", join(dir, "sa.pub")]);
}

export function newTokens(): ClusterTokens {
  const token = () => randomBytes(24).toString("hex");
  return { admin: token(), controllerManager: token(), scheduler: token(), kubelet: token() };
}
