/**
 * The setting a reference does best at, measured in both orders. A probe run once, in one order,
 * favours whichever setting meets the engine at its quickest: the embedded DynamoDB slows as its
 * LevelDB grows and compacts, so a single pass 4, 8, 16, 32 gave each later setting a larger store.
 * Run forward then backward, each setting's two rates together cancel a steady drift, and the choice
 * is the setting with the highest sum.
 */
export async function probeBothWays(
  settings: readonly number[],
  measure: (setting: number) => Promise<number>,
): Promise<{ best: number; rates: Map<number, [number, number]> }> {
  if (settings.length === 0) throw new Error('nothing to probe');
  const forward = new Map<number, number>();
  for (const setting of settings) forward.set(setting, await measure(setting));
  const backward = new Map<number, number>();
  for (const setting of [...settings].reverse()) backward.set(setting, await measure(setting));
  // In the order given, whatever order they were measured in.
  const rates = new Map(
    settings.map((setting) => [setting, [forward.get(setting), backward.get(setting)] as [number, number]]),
  );
  const sum = (setting: number) => (rates.get(setting) as [number, number]).reduce((a, b) => a + b);
  const best = settings.reduce((chosen, setting) => (sum(setting) > sum(chosen) ? setting : chosen));
  return { best, rates };
}
