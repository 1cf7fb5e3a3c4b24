{{/* Chart name, truncated to the DNS label limit. */}}
{{- define "spanlens.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped base name. */}}
{{- define "spanlens.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "spanlens.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "spanlens.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels for one component: include "spanlens.selectorLabels" (dict "root" . "component" "web") */}}
{{- define "spanlens.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spanlens.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Image for one component: include "spanlens.image" (dict "root" . "component" "web") */}}
{{- define "spanlens.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.repository .component (default .root.Chart.AppVersion .root.Values.image.tag) -}}
{{- end -}}

{{/* Name of the Secret holding URLs and credentials. */}}
{{- define "spanlens.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-env" (include "spanlens.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Environment shared by every container. */}}
{{- define "spanlens.env" -}}
- name: NODE_ENV
  value: production
- name: LOG_LEVEL
  value: {{ .Values.config.logLevel | quote }}
- name: CLICKHOUSE_DATABASE
  value: {{ .Values.config.clickhouseDatabase | quote }}
{{- with .Values.config.clickhouseCluster }}
- name: CLICKHOUSE_CLUSTER
  value: {{ . | quote }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "spanlens.envFrom" -}}
- secretRef:
    name: {{ include "spanlens.secretName" . }}
{{- end -}}
