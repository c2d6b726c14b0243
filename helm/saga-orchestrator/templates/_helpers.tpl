{{/*
Names and labels shared by every template.
*/}}

{{- define "saga.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The prefix of every resource name: <release>-<chart>, or the release name when it already holds the chart name. */}}
{{- define "saga.fullname" -}}
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

{{- define "saga.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object of the release. */}}
{{- define "saga.labels" -}}
helm.sh/chart: {{ include "saga.chart" . }}
app.kubernetes.io/name: {{ include "saga.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: saga-orchestrator
{{- end }}

{{/* Selector labels of the orchestrator pods (stable across upgrades: never add to them). */}}
{{- define "saga.selectorLabels" -}}
app.kubernetes.io/name: {{ include "saga.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: orchestrator
{{- end }}

{{- define "saga.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "saga.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "saga.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The ConfigMap of the connection settings every process reads (orchestrator and participants). */}}
{{- define "saga.connectionConfigName" -}}
{{- printf "%s-connection" (include "saga.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* "true" when the Prometheus Operator object named by $flag ("true", "false" or "auto") is wanted. */}}
{{- define "saga.monitoringWanted" -}}
{{- $flag := toString .flag }}
{{- if or (eq $flag "true") (and (eq $flag "auto") (.root.Capabilities.APIVersions.Has "monitoring.coreos.com/v1")) -}}
true
{{- end }}
{{- end }}

{{/* Mount paths of the TLS material taken from Secrets. */}}
{{- define "saga.kafkaTlsDir" -}}/etc/saga/kafka-tls{{- end }}
{{- define "saga.redisTlsDir" -}}/etc/saga/redis-tls{{- end }}

{{/* "true" when the processes reach Redis over TLS: a rediss:// URL, cluster nodes or Sentinels. */}}
{{- define "saga.redisTls" -}}
{{- if .Values.redis.clusterNodes -}}
{{- if hasPrefix "rediss://" (first .Values.redis.clusterNodes) }}true{{ end -}}
{{- else if .Values.redis.sentinels -}}
{{- if hasPrefix "rediss://" (first .Values.redis.sentinels) }}true{{ end -}}
{{- else if hasPrefix "rediss://" .Values.redis.url }}true{{ end -}}
{{- end }}

{{/*
Checks across values that values.schema.json cannot express, with messages that say what to do.
*/}}
{{- define "saga.validate" -}}
{{- $sasl := .Values.kafka.sasl }}
{{- if and (ne $sasl.mechanism "none") (or (not $sasl.username) (not $sasl.existingSecret)) }}
{{- fail (printf "kafka.sasl.mechanism=%s needs kafka.sasl.username and kafka.sasl.existingSecret (a Secret holding the password under kafka.sasl.passwordKey)" $sasl.mechanism) }}
{{- end }}
{{- $tls := .Values.kafka.tls }}
{{- if and $tls.existingSecret (not $tls.enabled) }}
{{- fail "kafka.tls.existingSecret is set but kafka.tls.enabled is false" }}
{{- end }}
{{- if ne (empty $tls.certKey) (empty $tls.keyKey) }}
{{- fail "kafka.tls.certKey and kafka.tls.keyKey go together (mutual TLS)" }}
{{- end }}
{{- if and (or $tls.certKey $tls.keyKey) (not $tls.existingSecret) }}
{{- fail "kafka.tls.certKey/keyKey need kafka.tls.existingSecret (the Secret that holds them)" }}
{{- end }}
{{- if and .Values.redis.tls.existingSecret (not (include "saga.redisTls" .)) }}
{{- fail "redis.tls.existingSecret is set but redis.url (or redis.clusterNodes, redis.sentinels) does not start with rediss:// (TLS)" }}
{{- end }}
{{- if and .Values.redis.clusterNodes .Values.redis.sentinels }}
{{- fail "redis.clusterNodes and redis.sentinels are both set: a Redis Cluster or a primary watched by Sentinels, not both" }}
{{- end }}
{{- if and .Values.redis.sentinelPasswordKey (not .Values.redis.existingSecret) }}
{{- fail "redis.sentinelPasswordKey needs redis.existingSecret (the Secret that holds it)" }}
{{- end }}
{{- if and .Values.api.readTokenKey (not .Values.api.existingSecret) }}
{{- fail "api.readTokenKey needs api.existingSecret (the Secret holding the operator token under api.tokenKey and the read-only one under api.readTokenKey)" }}
{{- end }}
{{- if and .Values.api.readTokenKey (eq .Values.api.readTokenKey .Values.api.tokenKey) }}
{{- fail "api.readTokenKey is api.tokenKey: the read-only token must be another key (another token) of the Secret" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (not .Values.autoscaling.targetCPUUtilizationPercentage) (not .Values.autoscaling.targetMemoryUtilizationPercentage) }}
{{- fail "autoscaling needs targetCPUUtilizationPercentage or targetMemoryUtilizationPercentage" }}
{{- end }}
{{- if and .Values.autoscaling.enabled (gt (int .Values.autoscaling.minReplicas) (int .Values.autoscaling.maxReplicas)) }}
{{- fail "autoscaling.minReplicas is larger than autoscaling.maxReplicas" }}
{{- end }}
{{- range $name := list "inventory" "payment" "shipping" }}
{{- if hasKey (index $.Values.participants $name).env "PARTICIPANT_METRICS_PORT" }}
{{- fail (printf "participants.%s.env.PARTICIPANT_METRICS_PORT: set participants.metricsPort instead (the container port, probes and PodMonitor follow it)" $name) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Environment of every process that connects to Kafka and Redis: the connection ConfigMap plus the
secrets. Used by the orchestrator and the example participants alike.
*/}}
{{- define "saga.connectionEnvFrom" -}}
- configMapRef:
    name: {{ include "saga.connectionConfigName" . }}
{{- end }}

{{- define "saga.secretEnv" -}}
{{- if ne .Values.kafka.sasl.mechanism "none" }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.kafka.sasl.existingSecret }}
      key: {{ .Values.kafka.sasl.passwordKey }}
{{- end }}
{{- if .Values.redis.existingSecret }}
- name: REDIS_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.passwordKey }}
{{- if .Values.redis.sentinelPasswordKey }}
- name: REDIS_SENTINEL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.redis.existingSecret }}
      key: {{ .Values.redis.sentinelPasswordKey }}
{{- end }}
{{- end }}
{{- end }}

{{- define "saga.otelEnv" -}}
- name: OTEL_SERVICE_NAME
  value: {{ .serviceName | quote }}
{{- range $name, $value := .env }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* Volumes holding the TLS material; pair with saga.tlsVolumeMounts. */}}
{{- define "saga.tlsVolumes" -}}
{{- $tls := .Values.kafka.tls }}
{{- if and $tls.enabled $tls.existingSecret }}
- name: kafka-tls
  secret:
    secretName: {{ $tls.existingSecret }}
    defaultMode: 288 # octal 0440: read by the owner and the pod's fsGroup only
    items:
      {{- if $tls.caKey }}
      - key: {{ $tls.caKey }}
        path: ca.crt
      {{- end }}
      {{- if $tls.certKey }}
      - key: {{ $tls.certKey }}
        path: tls.crt
      - key: {{ $tls.keyKey }}
        path: tls.key
      {{- end }}
{{- end }}
{{- if .Values.redis.tls.existingSecret }}
- name: redis-tls
  secret:
    secretName: {{ .Values.redis.tls.existingSecret }}
    defaultMode: 288 # octal 0440: read by the owner and the pod's fsGroup only
    items:
      - key: {{ .Values.redis.tls.caKey }}
        path: ca.crt
{{- end }}
{{- end }}

{{- define "saga.tlsVolumeMounts" -}}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.existingSecret }}
- name: kafka-tls
  mountPath: {{ include "saga.kafkaTlsDir" . }}
  readOnly: true
{{- end }}
{{- if .Values.redis.tls.existingSecret }}
- name: redis-tls
  mountPath: {{ include "saga.redisTlsDir" . }}
  readOnly: true
{{- end }}
{{- end }}

{{/* Topology spread over nodes and zones for pods with the given selector labels. */}}
{{- define "saga.topologySpread" -}}
{{- if .root.Values.topologySpreadConstraints }}
{{- toYaml .root.Values.topologySpreadConstraints }}
{{- else -}}
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- .selector | nindent 6 }}
- maxSkew: 1
  topologyKey: topology.kubernetes.io/zone
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- .selector | nindent 6 }}
{{- end }}
{{- end }}
