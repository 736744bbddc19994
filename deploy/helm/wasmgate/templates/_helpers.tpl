{{/* Names and labels shared by the templates. */}}

{{- define "wasmgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "wasmgate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "wasmgate.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "wasmgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "wasmgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "wasmgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "wasmgate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "wasmgate.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The Secret holding tls.crt and tls.key. */}}
{{- define "wasmgate.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "wasmgate.fullname" .)) .Values.tls.secretName }}
{{- end }}

{{/* The DNS names kube-apiserver uses for the Service. */}}
{{- define "wasmgate.dnsNames" -}}
{{- $svc := include "wasmgate.fullname" . -}}
{{- list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) | toJson }}
{{- end }}

{{/* The wasmgate configuration: the user's `config` with the server's listen address and
     TLS files set to where the chart mounts them. */}}
{{- define "wasmgate.config" -}}
{{- $cfg := deepCopy .Values.config }}
{{- $server := default dict $cfg.server }}
{{- $tls := dict "certFile" "/etc/wasmgate/tls/tls.crt" "keyFile" "/etc/wasmgate/tls/tls.key" }}
{{- if .Values.tls.clientCA.secretName }}
{{- $_ := set $tls "clientCAFile" "/etc/wasmgate/client-ca/ca.crt" }}
{{- end }}
{{- $_ := set $server "listen" "0.0.0.0:8443" }}
{{- $_ := set $server "tls" $tls }}
{{- $_ := set $cfg "server" $server }}
{{- toYaml $cfg }}
{{- end }}
