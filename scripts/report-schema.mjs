// Writes docs/report.schema.json from the zod schema in src/report/schema.ts (the single source).
// esbuild bundles the TypeScript module in memory; `npm run schema` after changing the report.
import { build } from 'esbuild';
import { writeFileSync } from 'node:fs';

const out = await build({
  entryPoints: ['src/report/schema.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'error',
});
const url = `data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`;
const { reportJsonSchema } = await import(url);
writeFileSync(new URL('../docs/report.schema.json', import.meta.url), JSON.stringify(reportJsonSchema(), null, 2) + '\n');
console.log('docs/report.schema.json written');
