/** PEM certificate (leaf first, then any chain) and its private key, ready for a TLS context. */
export interface TlsMaterial {
  readonly certPem: string;
  readonly keyPem: string;
}

/**
 * Where the serving certificate comes from: files on disk or the automatic
 * authority. `start` loads what it can right away (files must exist; the
 * automatic source may still be waiting for its leader) and reports every
 * later change through `onUpdate`.
 */
export interface TlsSource {
  start(onUpdate: (material: TlsMaterial) => void): Promise<void>;
  /** The newest material, or undefined while none is available yet. */
  current(): TlsMaterial | undefined;
  stop(): Promise<void>;
}

/** Go-style names (as AGENT_INJECT_TLS_MIN_VERSION takes them) to Node's. */
const TLS_VERSIONS: Record<string, "TLSv1.2" | "TLSv1.3"> = {
  tls12: "TLSv1.2",
  tls13: "TLSv1.3",
  "1.2": "TLSv1.2",
  "1.3": "TLSv1.3",
  "tlsv1.2": "TLSv1.2",
  "tlsv1.3": "TLSv1.3",
};

export function tlsMinVersion(value: string | undefined): "TLSv1.2" | "TLSv1.3" | undefined {
  if (value === undefined || value === "") return undefined;
  return TLS_VERSIONS[value.toLowerCase()];
}
