// The optimizers the engine builds, by name; each takes the parameters with their layout (roles decide the groups)
// and the train config. Their state slots are listed in src/shared/models/registry.ts.
import type { tf } from '../tf.ts';
import type { TrainConfig } from '../../../shared/config.ts';
import type { ParamSpec } from '../../../shared/models/layout.ts';
import { slotsOf, type OptimizerName } from '../../../shared/models/registry.ts';
import { AdamW } from './adamw.ts';
import { MuonWithAdamW } from './muon.ts';
import { decayGroups, type Optimizer } from './optimizer.ts';

type OptimizerFactory = (params: Map<string, tf.Variable>, layout: readonly ParamSpec[], train: TrainConfig) => Optimizer;

const optimizers: Partial<Record<OptimizerName, OptimizerFactory>> = {
  adamw: (params, layout, t) => new AdamW(params, decayGroups(layout, t.weight_decay), { beta1: t.beta1, beta2: t.beta2, eps: t.eps }),
  muon: (params, layout, t) => new MuonWithAdamW(params, layout, t),
};

export function createOptimizer(params: Map<string, tf.Variable>, layout: readonly ParamSpec[], train: TrainConfig): Optimizer {
  const make = optimizers[train.optimizer];
  if (make) return make(params, layout, train);
  slotsOf(train.optimizer); // throws, naming the built optimizers, when the shared registry lacks it too
  throw new Error(`train.optimizer: "${train.optimizer}" has state slots but no engine module`);
}
