#!/usr/bin/env node
// The `saga` command. The project runs its TypeScript directly through tsx (as `npm start`
// does), so this entry point registers tsx's loader and hands over to cli/run.ts.
import { register } from 'tsx/esm/api';

register();
await import('../run.ts');
