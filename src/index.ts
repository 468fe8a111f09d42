// Action entry (dist/index.js). run() reports every failure through core.setFailed itself.
import { run } from './action.js';

await run();
