/**
 * The `sockaddr` template function: reads the host's network (host.ts, the
 * only I/O) and renders the go-sockaddr template over it (template.ts).
 */
import { define, type TemplateFunction } from "../types.ts";
import { readHostNetwork } from "./host.ts";
import { renderSockaddr } from "./template.ts";

export const sockaddr: TemplateFunction = define(
  [],
  (...args: string[]) => renderSockaddr(args, readHostNetwork()),
  "string",
);

export { renderSockaddr };
