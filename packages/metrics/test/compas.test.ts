import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import {
  addPrediction,
  adjustBenjaminiHochberg,
  computeAttributeMetrics,
  computeGroupRates,
  emptyCounts,
  mergeCounts,
  type GroupCounts,
  type MetricRow,
} from '@fairwatch/metrics'

// ProPublica's COMPAS two-year recidivism table (7,214 people). Decision: score_text Medium or
// High; outcome: two_year_recid. Expected figures are those published in "How We Analyzed the
// COMPAS Recidivism Algorithm" (2016).
function countByRace(): Map<string, GroupCounts> {
  const text = readFileSync(new URL('./fixtures/compas-two-year.csv', import.meta.url), 'utf8')
  const [header, ...lines] = text.trim().split(/\r?\n/)
  const columns = (header ?? '').split(',')
  const race = columns.indexOf('race')
  const scoreText = columns.indexOf('score_text')
  const recidivism = columns.indexOf('two_year_recid')
  const byRace = new Map<string, GroupCounts>()
  for (const line of lines) {
    const fields = line.split(',')
    const group = fields[race] as string
    const counts = byRace.get(group) ?? emptyCounts()
    byRace.set(group, counts)
    addPrediction(counts, {
      decision: fields[scoreText] === 'Low' ? 0 : 1,
      outcome: fields[recidivism] === '1' ? 1 : 0,
      score: null,
    })
  }
  return byRace
}

const percent = (value: number | null) => ((value as number) * 100).toFixed(2)

describe('COMPAS two-year recidivism, as published by ProPublica', () => {
  const byRace = countByRace()

  it('counts all 7,214 people', () => {
    const all = [...byRace.values()].reduce(mergeCounts, emptyCounts())

    expect(all.predictions).toBe(7214)
    expect(all.labelled).toBe(7214)
  })

  it('reproduces the published false positive and false negative rates', () => {
    const all = computeGroupRates([...byRace.values()].reduce(mergeCounts, emptyCounts()))
    const black = computeGroupRates(byRace.get('African-American') as GroupCounts)
    const white = computeGroupRates(byRace.get('Caucasian') as GroupCounts)

    expect([percent(all.fpr.value), percent(all.fnr.value)]).toEqual(['32.35', '37.40'])
    expect([percent(black.fpr.value), percent(black.fnr.value)]).toEqual(['44.85', '27.99'])
    expect([percent(white.fpr.value), percent(white.fnr.value)]).toEqual(['23.45', '47.72'])
  })

  it('flags the Black–White false positive gap as significant, even after BH adjustment', () => {
    const rows = computeAttributeMetrics({
      attribute: 'race',
      groups: byRace,
      options: { referenceGroup: 'Caucasian' },
    })
    const compared = rows.filter(
      (r): r is MetricRow & { pValue: number } => r.scope === 'vs_reference' && r.pValue !== null,
    )
    const adjusted = adjustBenjaminiHochberg(compared.map((r) => r.pValue))

    const fprRatio = compared.findIndex(
      (r) => r.group === 'African-American' && r.metric === 'fpr_ratio',
    )
    const row = compared[fprRatio] as MetricRow
    expect(row.value).toBeCloseTo(0.4485 / 0.2345, 2)
    expect(row.ciLow).toBeGreaterThan(1)
    expect(row.pValue).toBeLessThan(1e-20)
    expect(adjusted[fprRatio]).toBeLessThan(0.001)
    expect(row.insufficientEvidence).toBe(false)
    const difference = compared.find(
      (r) => r.group === 'African-American' && r.metric === 'fpr_difference',
    )
    expect(difference?.ciLow).toBeGreaterThan(0)
    const disparateImpact = compared.find(
      (r) => r.group === 'African-American' && r.metric === 'disparate_impact',
    )
    expect(disparateImpact?.ciLow).toBeGreaterThan(1)
    expect(disparateImpact?.pValue).toBeLessThan(0.001)
  })

  it('flags the race groups too small to read', () => {
    const rows = computeAttributeMetrics({ attribute: 'race', groups: byRace })

    const flagged = rows
      .filter((r) => r.scope === 'group' && r.metric === 'fpr' && r.insufficientEvidence)
      .map((r) => r.group)
    // FPR rests on the people who did not reoffend: too few of them among Asian and Native
    // American defendants.
    expect(flagged).toEqual(['Asian', 'Native American'])
  })
})
