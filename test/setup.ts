// Runs before any test file: node-config reads NODE_ENV when first imported.
process.env.NODE_ENV = 'test'

export const mochaHooks = {
  async afterAll() {
    const { stopTestServer } = await import('./helpers/server')
    await stopTestServer()
  }
}
