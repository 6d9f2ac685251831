{{/* Base name of the chart's objects: the release name, or <release>-sluice when it lacks "sluice". */}}
{{- define "sluice.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sluice.operatorName" -}}
{{- printf "%s-operator" (include "sluice.fullname" .) -}}
{{- end -}}

{{/* Labels that select the operator pods; the operator also passes them to the agent NetworkPolicy. */}}
{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: sluice
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end -}}

{{- define "sluice.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: sluice
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: sluice
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "sluice.serviceAccountName" -}}
{{- default (include "sluice.operatorName" .) .Values.operator.serviceAccount.name -}}
{{- end -}}

{{- define "sluice.tag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{- define "sluice.operatorImage" -}}
{{- printf "%s/%s:%s" .Values.image.registry .Values.image.operatorRepository (include "sluice.tag" .) -}}
{{- end -}}

{{- define "sluice.agentImage" -}}
{{- printf "%s/%s:%s" .Values.image.registry .Values.image.agentRepository (include "sluice.tag" .) -}}
{{- end -}}

{{/*
The operator's install settings: exactly the fields of RenderSettings (operator/src/render/settings.ts);
a test checks the keys match.
*/}}
{{- define "sluice.settings" -}}
{{- $s := dict
  "namespace" .Release.Namespace
  "agentName" .Values.agent.name
  "operatorName" (include "sluice.operatorName" .)
  "agentImage" (include "sluice.agentImage" .)
  "imagePullPolicy" .Values.image.pullPolicy
  "imagePullSecrets" .Values.imagePullSecrets
  "resources" .Values.agent.resources
  "tolerations" .Values.agent.tolerations
  "nodeSelector" .Values.agent.nodeSelector
  "podLogsDir" .Values.agent.podLogsDir
  "containerLogsDir" .Values.agent.containerLogsDir
  "hostDataDir" .Values.agent.hostDataDir
  "metricsPort" .Values.agent.metricsPort
  "tapPort" .Values.agent.tapPort
  "metricsFrom" .Values.agent.metricsFrom
  "operatorPodLabels" (include "sluice.selectorLabels" . | fromYaml)
  "commonLabels" .Values.commonLabels
  "version" .Chart.AppVersion
  "bufferBudget" .Values.agent.bufferBudget
  "tenancy" .Values.tenancy
-}}
{{- if .Values.agent.priorityClassName }}
{{- $_ := set $s "priorityClassName" .Values.agent.priorityClassName }}
{{- end }}
{{- toPrettyJson $s -}}
{{- end -}}
