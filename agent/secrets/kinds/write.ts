import { secretEnvelope, type DependencyKindModule } from "./kind.ts";

/** `secret "path" "k=v" ...`: PUT with the fields as the body (pki/issue, transit ...). */
export const secretWrite: DependencyKindModule = {
  kind: "secret.write",
  request: (dep, ctx) => ctx.calls.write(ctx.token, dep.path, Object.fromEntries(dep.params)),
  value: (_dep, res) => secretEnvelope(res),
  schedule: "response",
  reusesFileCertificate: false,
};
