import type { Incident } from '../records/incident'
import type { Nonconformity } from '../records/nonconformity'
import type { RecordStore } from '../storage/record-store'

/** The series a nonconformity is about: model, window size, rule and scope. */
export interface SeriesRef {
  modelId: string
  windowSize: string
  ruleId: string
  scopeKey: string
}

function seriesKey(s: SeriesRef): string {
  return `${s.modelId}\n${s.windowSize}\n${s.ruleId}\n${s.scopeKey}`
}

/**
 * The nonconformities and incidents that confirmed breaches look up, read once per evaluation
 * call and then answered from memory, so a series confirmed in many windows of one call is read
 * once. Every save of the call goes through here and updates what is held, so the answers are
 * what storage would give. Changes others save during the call are not seen; saving over one
 * still fails with RecordConflictError, as it would without the cache.
 */
export class BreachLookups {
  private readonly nonconformityById = new Map<string, Nonconformity | null>()
  private readonly bySeries = new Map<string, Nonconformity[]>()
  private readonly incidentById = new Map<string, Incident | null>()

  constructor(
    private readonly nonconformities: RecordStore<Nonconformity>,
    private readonly incidents: RecordStore<Incident>,
  ) {}

  /** The newest revision of a nonconformity, or null. */
  async nonconformity(id: string): Promise<Nonconformity | null> {
    const held = this.nonconformityById.get(id)
    if (held !== undefined) return held
    const found = await this.nonconformities.find(id)
    this.nonconformityById.set(id, found)
    return found
  }

  /** Every nonconformity of a series, oldest raised first. */
  async nonconformitiesOf(series: SeriesRef): Promise<readonly Nonconformity[]> {
    const key = seriesKey(series)
    const held = this.bySeries.get(key)
    if (held) return held
    const found = await this.nonconformities.query(
      'model_id = {modelId:String} AND window_size = {windowSize:String} ' +
        'AND rule_id = {ruleId:String} AND scope_key = {scopeKey:String}',
      { ...series },
      'raised_at',
    )
    this.bySeries.set(key, found)
    return found
  }

  /** The newest revision of an incident, or null. */
  async incident(id: string): Promise<Incident | null> {
    const held = this.incidentById.get(id)
    if (held !== undefined) return held
    const found = await this.incidents.find(id)
    this.incidentById.set(id, found)
    return found
  }

  /** Saves a nonconformity revision (see RecordStore.save) and holds it. */
  async saveNonconformity(nc: Nonconformity): Promise<Nonconformity> {
    await this.nonconformities.save(nc)
    this.nonconformityById.set(nc.id, nc)
    const list = this.bySeries.get(seriesKey(nc))
    if (list) {
      const at = list.findIndex((n) => n.id === nc.id)
      // A new record is raised now, so it is the newest of its series.
      if (at === -1) list.push(nc)
      else list[at] = nc
    }
    return nc
  }

  /** Saves an incident revision (see RecordStore.save) and holds it. */
  async saveIncident(incident: Incident): Promise<Incident> {
    await this.incidents.save(incident)
    this.incidentById.set(incident.id, incident)
    return incident
  }
}
