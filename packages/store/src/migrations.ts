import type { Migration } from './migration.ts'

/*
 * The store's tables. Versions 1-99 belong to the store; other packages bring their own ranges.
 *
 * Raw events are kept so that every window can be recomputed exactly when a late outcome arrives,
 * and so that predictions and outcomes consumed by different workers meet here. Attribute values
 * are group labels (e.g. "female", "25-34"), never identities. A prediction's attributes are kept
 * as the JSON text of its attribute object (`attribute_set`, e.g. {"sex":"female"}): few distinct
 * sets exist, so the column is dictionary-encoded and counting by it is cheap; ad-hoc queries read
 * a label with JSONExtractString(attribute_set, 'sex'). Duplicate events collapse by
 * event_id: ReplacingMergeTree merges them in the background, and every read takes one row per
 * prediction with argMax, so a duplicate that has not been merged yet is still counted once.
 */
export const storeMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'raw events and rejected events',
    statements: [
      `CREATE TABLE IF NOT EXISTS {db}.predictions (
        model_id LowCardinality(String),
        prediction_id String,
        event_id String,
        model_version LowCardinality(String),
        event_time_ms Int64 EPHEMERAL,
        event_time DateTime64(3, 'UTC') DEFAULT fromUnixTimestamp64Milli(event_time_ms, 'UTC'),
        decision UInt8,
        score Nullable(Float64),
        attribute_set LowCardinality(String),
        ingested_at DateTime64(3, 'UTC') DEFAULT now64(3),
        INDEX prediction_id_bloom prediction_id TYPE bloom_filter GRANULARITY 4
      ) ENGINE = ReplacingMergeTree
      PARTITION BY toYYYYMM(event_time)
      ORDER BY (model_id, event_time, prediction_id, event_id)
      SETTINGS non_replicated_deduplication_window = 10000`,
      `CREATE TABLE IF NOT EXISTS {db}.outcomes (
        model_id LowCardinality(String),
        prediction_id String,
        event_id String,
        event_time_ms Int64 EPHEMERAL,
        event_time DateTime64(3, 'UTC') DEFAULT fromUnixTimestamp64Milli(event_time_ms, 'UTC'),
        outcome UInt8,
        ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
      ) ENGINE = ReplacingMergeTree
      PARTITION BY toYYYYMM(event_time)
      ORDER BY (model_id, prediction_id, event_id)
      SETTINGS non_replicated_deduplication_window = 10000`,
      `CREATE TABLE IF NOT EXISTS {db}.rejected_events (
        received_at DateTime64(3, 'UTC') DEFAULT now64(3),
        source LowCardinality(String),
        source_ref String,
        reason LowCardinality(String),
        field String,
        message String,
        raw String
      ) ENGINE = MergeTree
      PARTITION BY toYYYYMM(received_at)
      ORDER BY (reason, received_at)
      SETTINGS non_replicated_deduplication_window = 10000`,
    ],
  },
  {
    version: 2,
    name: 'metric revisions and current metrics',
    statements: [
      // Every recomputation of a window is kept as a revision: late outcomes revise a window and
      // auditors can see what a metric read at any time.
      `CREATE TABLE IF NOT EXISTS {db}.metric_revisions (
        model_id LowCardinality(String),
        window_size LowCardinality(String),
        window_start DateTime64(3, 'UTC'),
        window_end DateTime64(3, 'UTC'),
        attribute LowCardinality(String),
        group_label String,
        scope LowCardinality(String),
        metric LowCardinality(String),
        value Nullable(Float64),
        numerator Nullable(Float64),
        denominator Nullable(Float64),
        ci_low Nullable(Float64),
        ci_high Nullable(Float64),
        p_value Nullable(Float64),
        reference_group String,
        sample_size UInt64,
        insufficient_evidence UInt8,
        reason LowCardinality(String),
        revision DateTime64(6, 'UTC')
      ) ENGINE = MergeTree
      PARTITION BY toYYYYMM(window_start)
      ORDER BY (model_id, window_size, window_start, attribute, metric, group_label, revision)
      SETTINGS non_replicated_deduplication_window = 10000`,
      // The latest revision of each window, kept up to date as revisions are written.
      `CREATE TABLE IF NOT EXISTS {db}.window_revisions (
        model_id LowCardinality(String),
        window_size LowCardinality(String),
        window_start DateTime64(3, 'UTC'),
        revision DateTime64(6, 'UTC')
      ) ENGINE = ReplacingMergeTree(revision)
      ORDER BY (model_id, window_size, window_start)`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.window_revisions_mv TO {db}.window_revisions
        AS SELECT DISTINCT model_id, window_size, window_start, revision
        FROM {db}.metric_revisions`,
      // Every row of each window's latest revision, and nothing from earlier ones: a row that a
      // newer revision no longer has (say, a comparison with a group that has since become the
      // reference group) is gone from here too.
      `CREATE VIEW IF NOT EXISTS {db}.metrics_current AS
        SELECT * FROM {db}.metric_revisions
        WHERE (model_id, window_size, window_start, revision) IN (
          SELECT model_id, window_size, window_start, max(revision)
          FROM {db}.window_revisions
          GROUP BY model_id, window_size, window_start
        )`,
    ],
  },
  {
    version: 3,
    name: 'event id skip indexes',
    statements: [
      // Lets an ingest find which of a batch's event ids are already stored without reading every
      // event id. A low false-positive rate keeps a lookup of hundreds of ids selective. Parts
      // written before this migration have no index and are read in full by such a lookup.
      `ALTER TABLE {db}.predictions
        ADD INDEX IF NOT EXISTS event_id_bloom event_id TYPE bloom_filter(0.0001) GRANULARITY 1`,
      `ALTER TABLE {db}.outcomes
        ADD INDEX IF NOT EXISTS event_id_bloom event_id TYPE bloom_filter(0.0001) GRANULARITY 1`,
    ],
  },
]
