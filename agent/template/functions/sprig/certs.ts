/**
 * Sprig's certificate helpers: genCA, genSelfSignedCert and genSignedCert
 * (each with a *WithKey form taking a PEM key) and buildCustomCert. They
 * return a sprig.certificate {Cert, Key} of PEM text. Certificates are built
 * as Go's x509.CreateCertificate builds Sprig's template: v3, a random
 * 128-bit serial, CN subject, valid from now for DAYS days, key usage
 * digital signature and key encipherment (plus certificate signing for a
 * CA), server and client auth, basic constraints, IP and DNS names; signed
 * with SHA-256 (RSA, ECDSA) or Ed25519 by node:crypto. A DSA key cannot
 * sign, as in Go.
 */
import {
  X509Certificate,
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from "node:crypto";
import { isIP } from "node:net";
import { FunctionError } from "../types.ts";
import { formatV } from "../../go/fmt.ts";
import { markStruct, structKind } from "../values.ts";
import * as D from "./der.ts";
import { keyPem, parsePrivateKeyPem } from "./keys.ts";

export interface Certificate {
  Cert: string;
  Key: string;
}

const certificate = (Cert: string, Key: string): Certificate => markStruct({ Cert, Key }, "cert");

function ipBytes(text: string): Buffer {
  if (isIP(text) === 4) return Buffer.from(text.split(".").map(Number));
  // an IPv4 tail (::ffff:1.2.3.4) as two groups
  const v6 = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) =>
    [a * 256 + +b, c * 256 + +d].map((n: number) => n.toString(16)).join(":"),
  );
  const [head = "", tail] = v6.split("::");
  const groups = (x: string | undefined): string[] => (x ? x.split(":") : []);
  const h = groups(head);
  const t = groups(tail);
  const all = [...h, ...Array<string>(8 - h.length - t.length).fill("0"), ...t];
  return Buffer.from(all.map((g) => g.padStart(4, "0")).join(""), "hex");
}

function ips(list: readonly unknown[] | null): Buffer[] {
  return (list ?? []).map((ip) => {
    if (typeof ip !== "string")
      throw new FunctionError(`error parsing ip: ${formatV(ip)} is not a string`);
    if (isIP(ip) === 0 || ip.includes("%")) throw new FunctionError(`error parsing ip: ${ip}`);
    return ipBytes(ip);
  });
}

function dnsNames(list: readonly unknown[] | null): string[] {
  return (list ?? []).map((d) => {
    if (typeof d !== "string")
      throw new FunctionError(`error processing alternate dns name: ${formatV(d)} is not a string`);
    return d;
  });
}

/** pkix.Name{CommonName}: PrintableString when it can be, UTF8String otherwise. */
function subjectName(cn: string): Buffer {
  if (cn === "") return D.seq();
  const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(cn);
  const value = printable ? D.tlv(0x13, Buffer.from(cn)) : D.utf8(cn);
  return D.seq(D.set(D.seq(D.oid("2.5.4.3"), value)));
}

function signatureAlgorithm(key: KeyObject): Buffer {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return D.seq(D.oid("1.2.840.113549.1.1.11"), D.tlv(0x05));
    case "ec":
      return D.seq(D.oid("1.2.840.10045.4.3.2"));
    case "ed25519":
      return D.seq(D.oid("1.3.101.112"));
    default:
      throw new FunctionError(
        "error creating certificate: x509: certificate private key does not implement crypto.Signer",
      );
  }
}

interface Plan {
  cn: string;
  ips: Buffer[];
  dns: string[];
  days: number;
  ca: boolean;
}

function extensions(plan: Plan, spki: Buffer): Buffer {
  const ext = (id: string, critical: boolean, value: Buffer): Buffer =>
    D.seq(D.oid(id), ...(critical ? [D.bool(true)] : []), D.octets(value));
  // digitalSignature (bit 0), keyEncipherment (bit 2), keyCertSign (bit 5)
  const usage = plan.ca ? D.bits(Buffer.from([0xa4]), 2) : D.bits(Buffer.from([0xa0]), 5);
  const list = [
    ext("2.5.29.15", true, usage),
    ext("2.5.29.37", false, D.seq(D.oid("1.3.6.1.5.5.7.3.1"), D.oid("1.3.6.1.5.5.7.3.2"))),
    ext("2.5.29.19", true, plan.ca ? D.seq(D.bool(true)) : D.seq()),
  ];
  if (plan.ca) {
    const keyBits = D.readAll(D.readAll(spki)[0]!.body)[1]!.body.subarray(1);
    const id = createHash("sha256").update(keyBits).digest().subarray(0, 20);
    list.push(ext("2.5.29.14", false, D.octets(id)));
  }
  const names = [
    ...plan.dns.map((d) => D.tlv(0x82, Buffer.from(d, "utf8"))),
    ...plan.ips.map((ip) => D.tlv(0x87, ip)),
  ];
  if (names.length > 0) list.push(ext("2.5.29.17", false, D.seq(...names)));
  return D.context(3, true, D.seq(...list));
}

function serial(): bigint {
  return BigInt(`0x${randomBytes(16).toString("hex")}`);
}

/** x509.CreateCertificate for Sprig's template; `issuer` is the signer's subject DER. */
function createCertificate(
  plan: Plan,
  subjectKey: KeyObject,
  issuer: Buffer | undefined,
  signer: KeyObject,
): string {
  const algorithm = signatureAlgorithm(signer);
  const spki = createPublicKey(subjectKey).export({ type: "spki", format: "der" });
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const until = new Date(now.getTime() + plan.days * 86_400_000);
  const subject = subjectName(plan.cn);
  const tbs = D.seq(
    D.context(0, true, D.int(2n)),
    D.int(serial()),
    algorithm,
    issuer ?? subject,
    D.seq(D.time(now), D.time(until)),
    subject,
    spki,
    extensions(plan, spki),
  );
  const hash = signer.asymmetricKeyType === "ed25519" ? null : "sha256";
  const signature = sign(hash, tbs, signer);
  return D.pemOf("CERTIFICATE", D.seq(tbs, algorithm, D.bits(signature)));
}

const newRsaKey = (): KeyObject => generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;

function withKey(pem: string): KeyObject {
  try {
    return parsePrivateKeyPem(pem);
  } catch (e) {
    throw new FunctionError(`parsing private key: ${(e as Error).message}`);
  }
}

function selfSigned(plan: Plan, key: KeyObject): Certificate {
  return certificate(createCertificate(plan, key, undefined, key), keyPem(key));
}

export const genCA = (cn: string, days: number): Certificate =>
  selfSigned({ cn, ips: [], dns: [], days, ca: true }, newRsaKey());
export const genCAWithKey = (cn: string, days: number, key: string): Certificate =>
  selfSigned({ cn, ips: [], dns: [], days, ca: true }, withKey(key));

const leafPlan = (
  cn: string,
  ipList: unknown[] | null,
  dns: unknown[] | null,
  days: number,
): Plan => ({
  cn,
  ips: ips(ipList),
  dns: dnsNames(dns),
  days,
  ca: false,
});

export function genSelfSignedCert(
  cn: string,
  ipList: unknown[] | null,
  dns: unknown[] | null,
  days: number,
): Certificate {
  const plan = leafPlan(cn, ipList, dns, days);
  return selfSigned(plan, newRsaKey());
}

export function genSelfSignedCertWithKey(
  cn: string,
  ipList: unknown[] | null,
  dns: unknown[] | null,
  days: number,
  key: string,
): Certificate {
  const signer = withKey(key);
  return selfSigned(leafPlan(cn, ipList, dns, days), signer);
}

const ANY_PEM = /-----BEGIN ([^-\n]*)-----\r?\n([\s\S]*?)-----END \1-----/;

/** The first PEM block's DER parsed as a certificate; Go's errors otherwise. */
function parseCertificatePem(text: string, what: string): Buffer {
  const m = ANY_PEM.exec(text);
  if (!m) throw new FunctionError("unable to decode certificate");
  const der = Buffer.from(m[2]!.replace(/\s/g, ""), "base64");
  try {
    new X509Certificate(der);
  } catch {
    throw new FunctionError(`error parsing certificate: ${what}: x509: malformed certificate`);
  }
  return der;
}

function subjectOf(der: Buffer): Buffer {
  const tbs = D.readAll(D.readAll(der)[0]!.body)[0]!;
  const fields = D.readAll(tbs.body);
  const subject = fields[fields[0]!.tag === 0xa0 ? 5 : 4]!;
  return D.tlv(subject.tag, subject.body);
}

function signedBy(plan: () => Plan, ca: unknown, key: () => KeyObject): Certificate {
  if (structKind(ca) !== "cert")
    throw new FunctionError("wrong type for value; expected sprig.certificate");
  const { Cert, Key } = ca as Certificate;
  const signerCert = parseCertificatePem(Cert, "decodedSignerCert.Bytes");
  let signer: KeyObject;
  try {
    signer = parsePrivateKeyPem(Key);
  } catch (e) {
    throw new FunctionError(`error parsing private key: ${(e as Error).message}`);
  }
  const subjectKey = key();
  return certificate(
    createCertificate(plan(), subjectKey, subjectOf(signerCert), signer),
    keyPem(subjectKey),
  );
}

export function genSignedCert(
  cn: string,
  ipList: unknown[] | null,
  dns: unknown[] | null,
  days: number,
  ca: unknown,
): Certificate {
  const key = newRsaKey();
  return signedBy(
    () => leafPlan(cn, ipList, dns, days),
    ca,
    () => key,
  );
}

export function genSignedCertWithKey(
  cn: string,
  ipList: unknown[] | null,
  dns: unknown[] | null,
  days: number,
  ca: unknown,
  pem: string,
): Certificate {
  const key = withKey(pem);
  return signedBy(
    () => leafPlan(cn, ipList, dns, days),
    ca,
    () => key,
  );
}

function strictBase64(text: string, what: string): string {
  if (
    !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(
      text.replace(/[\r\n]/g, ""),
    )
  )
    throw new FunctionError(`unable to decode base64 ${what}`);
  return Buffer.from(text, "base64").toString("utf8");
}

export function buildCustomCert(b64cert: string, b64key: string): Certificate {
  const cert = strictBase64(b64cert, "certificate");
  const key = strictBase64(b64key, "private key");
  parseCertificatePem(cert, "decodedCert.Bytes");
  try {
    parsePrivateKeyPem(key);
  } catch (e) {
    throw new FunctionError(`error parsing private key: ${(e as Error).message}`);
  }
  return certificate(cert, key);
}
