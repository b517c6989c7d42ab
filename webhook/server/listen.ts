import { parseListen } from "../../shared/listen.ts";

/** AGENT_INJECT_LISTEN: ":8080" (every interface), "127.0.0.1:8443", "[::1]:8443". */
export function parseWebhookListen(value: string): { host: string; port: number } {
  return parseListen(value, {
    name: "listen address",
    code: "INVALID_SETTING",
    example: '":8080" or "127.0.0.1:8443"',
  });
}
