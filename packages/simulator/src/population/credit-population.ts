/** One demographic group of the simulated applicants. */
export interface PopulationGroup {
  /** The group label carried in the events' `attributes`. */
  readonly label: string
  /** Share of applicants in the group; the shares of one attribute sum to 1. */
  readonly share: number
  /**
   * How far the group's mean latent creditworthiness lies from the population's, in standard
   * deviations of the latent creditworthiness. It changes the group's true repayment rate and,
   * since the model sees creditworthiness, its approval rate: a legitimate, steady difference.
   */
  readonly creditworthinessShift: number
}

/** One demographic attribute of the simulated applicants, with its groups. */
export interface PopulationAttribute {
  /** The attribute name carried in the events' `attributes`. */
  readonly name: string
  readonly groups: readonly PopulationGroup[]
}

/**
 * The simulated applicant population. Attributes are drawn independently of each other. Shares are
 * loosely modelled on consumer-credit applicants in a large, mixed country; they are illustrative,
 * not statistics of any real population.
 *
 * Only age changes creditworthiness (younger applicants repay somewhat less often, as thin credit
 * files do in practice), and mildly enough that every age band's approval rate stays within the
 * four-fifths rule. Sex and ethnicity have no effect on creditworthiness: any disparity between
 * those groups in the simulated data is the model's doing, i.e. the drift.
 */
export const CREDIT_APPLICANT_POPULATION: readonly PopulationAttribute[] = [
  {
    name: 'sex',
    groups: [
      { label: 'female', share: 0.49, creditworthinessShift: 0 },
      { label: 'male', share: 0.51, creditworthinessShift: 0 },
    ],
  },
  {
    name: 'age_band',
    groups: [
      { label: '18-24', share: 0.12, creditworthinessShift: -0.18 },
      { label: '25-34', share: 0.27, creditworthinessShift: -0.06 },
      { label: '35-49', share: 0.31, creditworthinessShift: 0.03 },
      { label: '50-64', share: 0.21, creditworthinessShift: 0.09 },
      { label: '65+', share: 0.09, creditworthinessShift: 0.05 },
    ],
  },
  {
    name: 'ethnicity',
    groups: [
      { label: 'white', share: 0.6, creditworthinessShift: 0 },
      { label: 'hispanic', share: 0.18, creditworthinessShift: 0 },
      { label: 'black', share: 0.12, creditworthinessShift: 0 },
      { label: 'asian', share: 0.07, creditworthinessShift: 0 },
      { label: 'other', share: 0.03, creditworthinessShift: 0 },
    ],
  },
]
