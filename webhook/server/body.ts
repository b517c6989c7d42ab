import type { IncomingMessage } from "node:http";
import { VaultletError } from "../../shared/errors.ts";

/**
 * Reads a request body of at most `limit` bytes. A declared length over the
 * limit is refused before a byte is read; a chunked body is cut off as soon
 * as it passes the limit. Errors: BODY_TOO_LARGE, BODY_ABORTED (the client
 * went away or sent less than it declared).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? NaN);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const fail = (err: VaultletError) => {
      req.off("data", onData).off("end", onEnd).off("aborted", onAborted);
      req.off("error", onAborted);
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        fail(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      req.off("error", onAborted);
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onAborted = () =>
      fail(new VaultletError("BODY_ABORTED", "request body ended before its declared length"));
    req.on("data", onData).once("end", onEnd).once("aborted", onAborted).once("error", onAborted);
  });
}

function tooLarge(limit: number): VaultletError {
  return new VaultletError("BODY_TOO_LARGE", `request body is larger than ${limit} bytes`);
}
