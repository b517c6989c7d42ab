{{/* Full name of the release's objects, at most 63 characters. */}}
{{- define "vaultlet.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The MutatingWebhookConfiguration's name: cluster-scoped, so it carries the namespace. */}}
{{- define "vaultlet.webhookConfigName" -}}
{{- $full := include "vaultlet.fullname" . -}}
{{- if eq $full .Release.Namespace -}}
{{- $full -}}
{{- else -}}
{{- printf "%s-%s" $full .Release.Namespace | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "vaultlet.serviceAccountName" -}}
{{- default (include "vaultlet.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/* Fixed by the webhook's code (webhook/tls/auto.ts): RBAC names them exactly. */}}
{{- define "vaultlet.certSecretName" -}}vaultlet-webhook-certs{{- end -}}
{{- define "vaultlet.leaderLeaseName" -}}vaultlet-webhook-leader{{- end -}}

{{- define "vaultlet.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "vaultlet.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: webhook
{{- end -}}

{{/* Every injector pod carries it; the webhook's objectSelector skips such pods. */}}
{{- define "vaultlet.selfLabelKey" -}}vaultlet.io/injector{{- end -}}

{{- define "vaultlet.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "vaultlet.agentImage" -}}
{{- printf "%s:%s" .Values.agentImage.repository (default .Chart.AppVersion .Values.agentImage.tag) -}}
{{- end -}}

{{/* Service DNS names the automatic serving certificate covers. */}}
{{- define "vaultlet.tlsHosts" -}}
{{- $svc := include "vaultlet.fullname" . -}}
{{- $ns := .Release.Namespace -}}
{{- printf "%s,%s.%s,%s.%s.svc,%s.%s.svc.cluster.local" $svc $svc $ns $svc $ns $svc $ns -}}
{{- end -}}

{{/*
CEL: the pod has the agent-inject annotation and its value is not one of Go's
false words. Malformed values ("yes") are sent too, so the webhook rejects them
with a clear message instead of the pod starting without secrets.
*/}}
{{- define "vaultlet.injectCondition" -}}
{{- $values := list -}}
{{- range .Values.webhook.noInjectValues -}}{{- $values = append $values (printf "'%s'" .) -}}{{- end -}}
has(object.metadata.annotations) && 'vault.hashicorp.com/agent-inject' in object.metadata.annotations && !(object.metadata.annotations['vault.hashicorp.com/agent-inject'] in [{{ join ", " $values }}])
{{- end -}}
