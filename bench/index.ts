// Benchmark entry (`npm run bench`): runs each benchmark in turn; always exits 0, the PASS/FAIL
// lines are the result.

import { runDeliveryBench } from './delivery.bench';
import { runLoadBench } from './load.bench';
import { runMaskBench } from './mask.bench';
import { runSandboxFloodBench } from './sandbox-flood.bench';
import { runPictureBench } from './pictures.bench';
import { runStartupBench } from './startup.bench';

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${process.platform} ${process.arch}`);
  const maskPassed = await runMaskBench();
  const picturesPassed = await runPictureBench();
  const startupPassed = await runStartupBench();
  const deliveryPassed = await runDeliveryBench();
  const loadPassed = await runLoadBench();
  const sandboxPassed = await runSandboxFloodBench();
  const allPassed =
    maskPassed && picturesPassed && startupPassed && deliveryPassed && loadPassed && sandboxPassed;
  console.log(allPassed ? 'all targets met' : 'some targets missed');
}

main().catch((err: unknown) => {
  console.error('benchmark crashed:', err);
});
