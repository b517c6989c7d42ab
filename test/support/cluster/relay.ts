/**
 * A TCP relay from the cluster's bridge address to a server on loopback:
 * pods on the pod network reach this host only through the bridge
 * (10.N.0.1), while the tests' OpenBao listens on 127.0.0.1. Nothing leaves
 * the host: the bridge routes only its own /16.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";

export interface Relay {
  /** host:port that pods dial */
  readonly address: string;
  stop(): Promise<void>;
}

/** `target` is read at each connection: a caller may set its port once its server is up. */
export function startRelay(
  listenHost: string,
  target: { host: string; port: number },
): Promise<Relay> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    const outbound = createConnection(target);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        inbound.destroy();
        outbound.destroy();
      });
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, listenHost, () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      resolve({
        address: `${listenHost}:${port}`,
        stop: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
