/**
 * The templates the injector renders when a secret annotation has no
 * template (`agent-inject-default-template`: map or json), with the same
 * text as Vault's injector so the files are byte-for-byte the same.
 */
export const DEFAULT_MAP_TEMPLATE =
  '{{ with secret "%s" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}';
export const DEFAULT_JSON_TEMPLATE = '{{ with secret "%s" }}{{ .Data | toJSON }}\n{{ end }}';

export type DefaultTemplateType = "map" | "json";

/** The default template for a secret path (inserted as the injector's fmt.Sprintf does: verbatim). */
export function defaultTemplate(type: DefaultTemplateType, path: string): string {
  return (type === "json" ? DEFAULT_JSON_TEMPLATE : DEFAULT_MAP_TEMPLATE).replace("%s", () => path);
}
