/**
 * Learning-rate schedules: functions from the epoch index (0-based) to a rate.
 */

/** A learning-rate schedule. */
export type Schedule = (epoch: number) => number;

/** The same rate every epoch. */
export function constantSchedule(rate: number): Schedule {
  return () => rate;
}

/**
 * Cosine decay from `rate` at epoch 0 to `rate * floor` at epoch `total`
 * (and after): `floor + (1 - floor) (1 + cos(pi e / total)) / 2`, times `rate`.
 */
export function cosineSchedule(rate: number, total: number, floor = 0): Schedule {
  if (!(total > 0))
    throw new RangeError(`total: ${total} epochs; a cosine schedule needs total > 0`);
  return (epoch) => {
    const progress = Math.min(Math.max(epoch / total, 0), 1);
    return rate * (floor + ((1 - floor) * (1 + Math.cos(Math.PI * progress))) / 2);
  };
}

/** Multiplies the rate by `gamma` every `every` epochs: `rate * gamma^floor(e / every)`. */
export function stepSchedule(rate: number, every: number, gamma: number): Schedule {
  if (!(every >= 1)) throw new RangeError(`every: ${every}; a step schedule needs every >= 1`);
  return (epoch) => rate * gamma ** Math.floor(epoch / every);
}

/** Schedule names accepted by {@link makeSchedule}. */
export type ScheduleName = 'constant' | 'cosine' | 'step';

/** Builds a schedule by name (what configs store). */
export function makeSchedule(
  name: ScheduleName,
  options: { rate: number; total: number; every?: number; gamma?: number; floor?: number },
): Schedule {
  switch (name) {
    case 'constant':
      return constantSchedule(options.rate);
    case 'cosine':
      return cosineSchedule(options.rate, Math.max(options.total, 1), options.floor ?? 0.05);
    case 'step':
      return stepSchedule(options.rate, options.every ?? 1000, options.gamma ?? 0.5);
    default:
      throw new RangeError(
        `schedule: unknown schedule '${String(name)}'; use constant, cosine or step`,
      );
  }
}
