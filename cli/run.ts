/** Runs the CLI in this process (the `saga` bin and `npm run saga -- …`). */
import { runCli } from './main.js';

process.exitCode = await runCli(process.argv.slice(2), process);
