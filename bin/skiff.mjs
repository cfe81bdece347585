#!/usr/bin/env node
// `npx skiff …`: runs the TypeScript CLI through tsx, as `npm start` runs the platform.
import { register } from 'tsx/esm/api';

// The AWS SDK's notice about Node 20 is for maintainers, not for someone typing a command.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  const text = `${warning.name}: ${warning.message}`;
  if (!text.includes('NodeVersionSupportWarning')) process.stderr.write(`${text}\n`);
});

register();
await import('../src/cli.ts');
