// oclif auto-transpiles src/*.ts under NODE_ENV=test, which silently adds ~0.5 s to
// every command run in-process; tests run the built dist/ exactly as users do.
process.env.NODE_ENV = 'test'
process.env.OCLIF_TS_NODE = '0'
