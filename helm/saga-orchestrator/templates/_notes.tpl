{{/*
The text helm prints after an install or upgrade (NOTES.txt includes it; a named template so that
tests can render it too).
*/}}
{{- define "saga.notes" -}}
The saga orchestrator is installed as {{ include "saga.fullname" . }} in namespace {{ .Release.Namespace }}.
{{ if .Values.autoscaling.enabled }}
Replicas: {{ .Values.autoscaling.minReplicas }} to {{ .Values.autoscaling.maxReplicas }} (HorizontalPodAutoscaler).
{{- else }}
Replicas: {{ .Values.replicaCount }}.
{{- end }}
Kafka: {{ join "," .Values.kafka.brokers }}{{ if .Values.kafka.tls.enabled }} (TLS){{ end }}{{ if ne .Values.kafka.sasl.mechanism "none" }} (SASL {{ .Values.kafka.sasl.mechanism }}){{ end }}
Redis: {{ if .Values.redis.clusterNodes }}Cluster {{ join "," .Values.redis.clusterNodes }}{{ else }}{{ .Values.redis.url }}{{ end }}
Topics: {{ .Values.config.topicPrefix }}.* {{- if .Values.topics.create }} (created at start-up when missing: {{ .Values.topics.partitions }} partitions, replication factor {{ .Values.topics.replicationFactor }}){{ else }} (not created by the orchestrator: provision them beforehand){{ end }}

Reach the API from your machine:

  kubectl --namespace {{ .Release.Namespace }} port-forward service/{{ include "saga.fullname" . }} 8080:{{ .Values.service.port }}
  curl http://127.0.0.1:8080/readyz
  curl http://127.0.0.1:8080/v1/definitions{{ if .Values.api.existingSecret }} -H "Authorization: Bearer $TOKEN"   # TOKEN from Secret {{ .Values.api.existingSecret }}{{ end }}

{{- if not .Values.api.existingSecret }}

WARNING: api.existingSecret is empty, so the /v1 API needs no token. Anyone who can reach the
Service can start, cancel and retry sagas. Set api.existingSecret (and networkPolicy.enabled).
{{- end }}
{{- $maxReplicas := ternary .Values.autoscaling.maxReplicas .Values.replicaCount .Values.autoscaling.enabled }}
{{- if gt (int $maxReplicas) (int .Values.topics.partitions) }}

NOTE: up to {{ $maxReplicas }} replicas but {{ .Values.topics.partitions }} partitions per topic: replicas beyond
the partition count stay idle.
{{- end }}
{{- if .Values.participants.enabled }}

Example participants are running (demo install):{{ range $name := list "inventory" "payment" "shipping" }}{{ if (index $.Values.participants $name).enabled }} {{ $name }}{{ end }}{{ end }}
Start an order saga:

  curl -X POST http://127.0.0.1:8080/v1/sagas -H 'Content-Type: application/json' \
    -d '{"type":"order","input":{"orderId":"o-1","customerId":"c-1","items":[{"sku":"SKU-1","quantity":1}],"amount":25,"currency":"EUR"}}'
{{- end }}
{{- end }}
