import { describe, expect, it } from 'vitest'

import { isLoopbackHost } from '../src/overview/overview-routes.ts'

describe('isLoopbackHost', () => {
  it('accepts the IPv4 loopback network, ::1 and localhost', () => {
    const hosts = ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']

    const answers = hosts.map(isLoopbackHost)

    expect(answers).toEqual(hosts.map(() => true))
  })

  it('refuses every address reachable from other machines', () => {
    const hosts = ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'fairwatch.example', '128.0.0.1']

    const answers = hosts.map(isLoopbackHost)

    expect(answers).toEqual(hosts.map(() => false))
  })
})
