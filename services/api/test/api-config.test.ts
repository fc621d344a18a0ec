import { describe, expect, it } from 'vitest'

import { DEFAULT_API_CONFIG, apiConfigFromEnv } from '../src/config/api-config.ts'
import { ConfigInvalidError } from '../src/errors.ts'

describe('apiConfigFromEnv', () => {
  it('uses the defaults when nothing is set', () => {
    const config = apiConfigFromEnv({})

    expect(config).toEqual(DEFAULT_API_CONFIG)
    expect(config.host).toBe('127.0.0.1')
    expect(config.port).toBe(8080)
    expect(config.batchBodyLimit).toBe(10 * 1024 * 1024)
  })

  it('reads every variable', () => {
    const config = apiConfigFromEnv({
      FW_HTTP_HOST: '0.0.0.0',
      FW_HTTP_PORT: '9000',
      FW_HTTP_BATCH_BODY_LIMIT: '1000',
      FW_HTTP_BODY_LIMIT: '500',
      FW_RATE_LIMIT_PER_MINUTE: '60',
      FW_CORS_ORIGINS: 'https://a.example, https://b.example,',
      FW_ADMIN_KEY: 'k'.repeat(32),
    })

    expect(config).toEqual({
      host: '0.0.0.0',
      port: 9000,
      batchBodyLimit: 1000,
      bodyLimit: 500,
      rateLimitPerMinute: 60,
      corsOrigins: ['https://a.example', 'https://b.example'],
      adminKey: 'k'.repeat(32),
    })
  })

  it('names the variable at fault', () => {
    expect(() => apiConfigFromEnv({ FW_HTTP_PORT: 'eighty' })).toThrow(/FW_HTTP_PORT/)
    expect(() => apiConfigFromEnv({ FW_HTTP_PORT: '70000' })).toThrow(/FW_HTTP_PORT/)
    expect(() => apiConfigFromEnv({ FW_RATE_LIMIT_PER_MINUTE: '0' })).toThrow(
      /FW_RATE_LIMIT_PER_MINUTE/,
    )
    expect(() => apiConfigFromEnv({ FW_ADMIN_KEY: 'short' })).toThrow(ConfigInvalidError)
  })
})
