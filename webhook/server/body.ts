import type { IncomingMessage } from "node:http";
import { VaultletError } from "../../shared/errors.ts";

/**
 * Reads a request body of at most `limit` bytes. A declared length over the
 * limit is refused before a byte is read; a chunked body is refused as soon
 * as it passes the limit. Either way the rest is read and dropped (node's
 * server does it for a body never read), so a client still sending gets its
 * answer instead of a broken pipe; the server's request timeout bounds it.
 * Errors: BODY_TOO_LARGE, BODY_ABORTED (the client went away or sent less
 * than it declared).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // the error listener stays: a client going away while the rest is dropped is no crash
    const fail = (err: VaultletError) => {
      req.off("data", onData).off("end", onEnd).off("aborted", onAborted);
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        fail(tooLarge(limit));
        req.resume();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onAborted = () =>
      fail(new VaultletError("BODY_ABORTED", "request body ended before its declared length"));
    req.on("data", onData).once("end", onEnd).once("aborted", onAborted).on("error", onAborted);
  });
}

function tooLarge(limit: number): VaultletError {
  return new VaultletError("BODY_TOO_LARGE", `request body is larger than ${limit} bytes`);
}
