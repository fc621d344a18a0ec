import type { Migration } from '@fairwatch/store'

/*
 * Governance tables, versions 100-199. Records are stored as append-only versions: every change
 * inserts a new row with a higher revision and ReplacingMergeTree keeps the newest; readers use
 * FINAL (or argMax over revision) so a row not yet merged away is never read twice. The columns
 * next to `document` repeat the fields dashboards filter and chart on.
 */
export const governanceMigrations: readonly Migration[] = [
  {
    version: 100,
    name: 'governance policies',
    statements: [
      `CREATE TABLE IF NOT EXISTS {db}.governance_policies (
        name LowCardinality(String),
        version String,
        source String,
        models Array(String),
        content String,
        loaded_at DateTime64(3, 'UTC'),
        loaded_by String,
        reason String
      ) ENGINE = ReplacingMergeTree(loaded_at)
      ORDER BY (name, version)`,
    ],
  },
  {
    version: 101,
    name: 'rule evaluations per window',
    statements: [
      `CREATE TABLE IF NOT EXISTS {db}.evaluations (
        model_id LowCardinality(String),
        window_size LowCardinality(String),
        rule_id LowCardinality(String),
        scope_key String,
        window_start DateTime64(3, 'UTC'),
        window_end DateTime64(3, 'UTC'),
        metric LowCardinality(String),
        attribute String,
        group_label Nullable(String),
        reference_group Nullable(String),
        status LowCardinality(String),
        reason Nullable(String),
        value Nullable(Float64),
        ci_low Nullable(Float64),
        ci_high Nullable(Float64),
        p_value Nullable(Float64),
        adjusted_p_value Nullable(Float64),
        numerator Nullable(Float64),
        denominator Nullable(Float64),
        sample_size UInt64,
        label_coverage Nullable(Float64),
        thresholds String,
        baseline Nullable(Float64),
        policy_name LowCardinality(String),
        policy_version String,
        evaluated_at DateTime64(3, 'UTC')
      ) ENGINE = ReplacingMergeTree(evaluated_at)
      PARTITION BY toYYYYMM(window_start)
      ORDER BY (model_id, window_size, rule_id, scope_key, window_start)`,
    ],
  },
  {
    version: 102,
    name: 'nonconformities',
    statements: [
      `CREATE TABLE IF NOT EXISTS {db}.nonconformities (
        id String,
        revision UInt64,
        model_id LowCardinality(String),
        rule_id LowCardinality(String),
        scope_key String,
        window_size LowCardinality(String),
        status LowCardinality(String),
        severity LowCardinality(String),
        owner String,
        raised_at DateTime64(3, 'UTC'),
        updated_at DateTime64(3, 'UTC'),
        due_date Nullable(DateTime64(3, 'UTC')),
        document String
      ) ENGINE = ReplacingMergeTree(revision)
      ORDER BY id`,
    ],
  },
  {
    version: 103,
    name: 'incidents',
    statements: [
      `CREATE TABLE IF NOT EXISTS {db}.incidents (
        id String,
        revision UInt64,
        model_id LowCardinality(String),
        status LowCardinality(String),
        severity LowCardinality(String),
        serious_category Nullable(String),
        report_due_at Nullable(DateTime64(3, 'UTC')),
        opened_at DateTime64(3, 'UTC'),
        updated_at DateTime64(3, 'UTC'),
        document String
      ) ENGINE = ReplacingMergeTree(revision)
      ORDER BY id`,
    ],
  },
  {
    version: 104,
    name: 'audit log',
    statements: [
      `CREATE TABLE IF NOT EXISTS {db}.audit_log (
        chain_id String,
        seq UInt64,
        at DateTime64(3, 'UTC'),
        actor String,
        action LowCardinality(String),
        reason Nullable(String),
        subject_type LowCardinality(String),
        subject_id String,
        policy_version Nullable(String),
        before String,
        after String,
        prev_hash String,
        hash String
      ) ENGINE = MergeTree
      ORDER BY (chain_id, seq)`,
    ],
  },
  {
    version: 105,
    name: 'notification outbox',
    statements: [
      `CREATE TABLE IF NOT EXISTS {db}.notification_outbox (
        id String,
        revision UInt64,
        target LowCardinality(String),
        format LowCardinality(String),
        url String,
        event LowCardinality(String),
        subject_id String,
        body String,
        status LowCardinality(String),
        attempts UInt32,
        next_attempt_at DateTime64(3, 'UTC'),
        last_status Nullable(UInt16),
        last_error Nullable(String),
        created_at DateTime64(3, 'UTC'),
        updated_at DateTime64(3, 'UTC'),
        delivered_at Nullable(DateTime64(3, 'UTC'))
      ) ENGINE = ReplacingMergeTree(revision)
      ORDER BY id`,
    ],
  },
]
