#!/usr/bin/env bash
# Checks that infra/alertmanager/alertmanager.yml sends each kind of Fairwatch alert to the
# receiver the on-call rota expects, with `amtool config routes test`. Needs amtool on PATH
# (infra/prometheus/test-rules.sh installs it). Exits non-zero on the first mismatch, with amtool's
# answer.
set -euo pipefail

readonly CONFIG="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/alertmanager.yml"

# expected receiver | labels of the alert
readonly CASES=(
  'governance-oncall|alertname=FairwatchCriticalIncidentOpen team=governance severity=critical service=worker'
  'governance-oncall|alertname=FairwatchCriticalIncidentOpen team=governance severity=warning model_id=credit-v3'
  'platform-oncall|alertname=FairwatchStoreUnavailable team=platform severity=critical service=worker'
  'platform-oncall|alertname=FairwatchConsumerLagHigh team=platform severity=critical service=worker topic=fairness.predictions'
  'platform-oncall|alertname=FairwatchTargetDown team=platform severity=critical job=fairwatch-api'
  'platform-channel|alertname=FairwatchConsumerLagHigh team=platform severity=warning service=worker topic=fairness.predictions'
  'platform-channel|alertname=FairwatchConsumerPaused team=platform severity=warning service=worker'
  'platform-channel|alertname=FairwatchEvaluationBacklog team=platform severity=warning service=worker'
  'platform-channel|alertname=SomeOtherAlert severity=critical'
  'platform-channel|alertname=SomeOtherAlert'
)

failed=0
for case in "${CASES[@]}"; do
  expected="${case%%|*}"
  read -r -a labels <<<"${case#*|}"
  if output="$(amtool config routes test --config.file="$CONFIG" --verify.receivers="$expected" \
    "${labels[@]}" 2>&1)"; then
    echo "ok   ${labels[*]} -> $expected"
  else
    echo "FAIL ${labels[*]}: expected $expected" >&2
    echo "$output" | grep -v -e '--config.file flag overrides' -e '^$' >&2
    failed=1
  fi
done
exit "$failed"
