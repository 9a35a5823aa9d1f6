/** The layering of style.md: bin -> api | workers -> queues -> shared. Checked by test/architecture.test.ts. */
module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'api-not-workers',
      comment: 'api and workers never import each other',
      severity: 'error',
      from: { path: '^src/api/' },
      to: { path: '^src/workers/' },
    },
    {
      name: 'workers-not-api',
      severity: 'error',
      from: { path: '^src/workers/' },
      to: { path: '^src/api/' },
    },
    {
      name: 'queues-below-api-and-workers',
      severity: 'error',
      from: { path: '^src/queues/' },
      to: { path: '^src/(api|workers)/' },
    },
    {
      name: 'shared-is-the-bottom',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/(api|workers|queues)/' },
    },
    { name: 'src-not-bin', severity: 'error', from: { path: '^src/' }, to: { path: '^bin/' } },
    {
      name: 'only-queues-import-bullmq',
      severity: 'error',
      from: { path: '^(src|bin)/', pathNot: '^src/queues/' },
      to: { path: 'node_modules/bullmq/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-shared-redis-creates-clients',
      severity: 'error',
      from: { path: '^(src|bin)/', pathNot: '^src/shared/redis\\.ts$' },
      to: { path: 'node_modules/ioredis/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
