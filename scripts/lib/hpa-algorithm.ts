/**
 * The Kubernetes HorizontalPodAutoscaler's decision for one CPU-utilization metric, as a pure, clock-free
 * state machine: `new HpaController(spec)` and, once per sync period (15 s by default), `step(nowMs,
 * observation)`. It keeps what the real controller keeps between syncs (the recommendations of the
 * stabilization windows, the scale events the policies count, the conditions and their transition
 * times); `hpaObject` renders that state as the autoscaling/v2 object `kubectl get hpa -o json` shows,
 * and every rescale carries the event the controller emits.
 *
 * The algorithm is the one documented in https://kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/
 * ("Algorithm details", "Configurable scaling behavior": "Scaling policies", "Stabilization window",
 * "Tolerance", "Default behavior"), in the detail of its implementation, kubernetes/kubernetes
 * pkg/controller/podautoscaler: horizontal.go (`reconcileAutoscaler`, `stabilizeRecommendationWithBehaviors`,
 * `convertDesiredReplicasWithBehaviorRate`, `calculateScaleUpLimitWithScalingRules`,
 * `calculateScaleDownLimitWithBehaviors`, `storeScaleEvent`, `normalizeDesiredReplicas`,
 * `convertDesiredReplicasWithRules`), replica_calculator.go (`GetResourceReplicas`, `Tolerances.isWithin`),
 * metrics/utilization.go (`GetResourceUtilizationRatio`), and pkg/apis/autoscaling/v2/defaults.go:
 *
 * 1. Utilization = ⌊100·Σ usage / Σ request⌋ over the pods with a metric, in whole millicores and whole
 *    percent (Go integer division); the ratio is utilization / target.
 * 2. Within tolerance — 1 − t ≤ ratio ≤ 1 + t, t = 0.1 by default (`--horizontal-pod-autoscaler-tolerance`)
 *    — the proposal is the current replica count; otherwise ⌈ratio × pods with a metric⌉. Pods without a
 *    metric are then assumed to use max(100 %, target) of their request when scaling down and 0 when
 *    scaling up, the ratio is computed again, and if that reverses the direction or falls within
 *    tolerance, nothing changes (the docs' "more conservatively").
 * 3. Stabilization: the proposals of the last `scaleDownStabilizationSeconds` (300 s) bound a scale-down
 *    from below (the highest of them is used), those of the last `scaleUpStabilizationSeconds` (0 s) bound
 *    a scale-up from above (the lowest). The first sync records the current count as a proposal.
 * 4. Policies: the highest (`Max`, default) or lowest (`Min`) of the policies' limits, each counted from
 *    the replicas at the start of its period (current minus the changes of the last periodSeconds); then
 *    minReplicas/maxReplicas. Defaults (defaults.go, the docs' "Default behavior"): scale up by 4 pods or
 *    100 %, whichever is more, per 15 s; scale down by 100 % per 15 s.
 * 5. A current count outside [minReplicas, maxReplicas] is set to the nearest bound directly; a count of
 *    0 disables scaling (ScalingActive False, ScalingDisabled).
 *
 * `legacyNormalization: true` is an HPA without `spec.behavior`: the API server fills in the defaults
 * above only when `behavior` is set, and without it the controller still uses its older rule
 * (`normalizeDesiredReplicas`): the highest proposal of the downscale window, then at most
 * max(2 × current, 4) replicas per sync, with no memory of earlier scale-ups. The docs say the defaults
 * "match the existing behavior"; they do not quite: from 1 replica the behavior defaults allow 5 in a
 * step (1 + 4 pods), the older rule 4.
 *
 * Not modelled: unready pods and the CPU initialization period (every pod given has a valid metric),
 * several metrics (one CPU Utilization target), per-direction tolerances (HPAConfigurableTolerance), and
 * failures to read the scale or the metrics.
 */
import { CliError } from './cli.ts';

// --- the specification ----------------------------------------------------------------------------

export type HpaSelectPolicy = 'Max' | 'Min' | 'Disabled';

export interface HpaScalingPolicy {
  readonly type: 'Pods' | 'Percent';
  /** Pods, or percent of the replicas at the start of the period; > 0. */
  readonly value: number;
  /** 1 to 1800. */
  readonly periodSeconds: number;
}

export interface HpaScalingRules {
  /** Default `Max`: the policy that allows the largest change. */
  readonly selectPolicy?: HpaSelectPolicy;
  /** Replace the default policies of that direction (as in `spec.behavior`). */
  readonly policies?: readonly HpaScalingPolicy[];
}

export interface HpaControllerOptions {
  /** Default 1 (the API's default); at least 1 (scale to zero needs object or external metrics). */
  readonly minReplicas?: number;
  readonly maxReplicas: number;
  /** `averageUtilization` of the cpu target, percent of the pods' request; an integer ≥ 1. */
  readonly targetUtilizationPercent: number;
  /** Default 0.1, the controller manager's `--horizontal-pod-autoscaler-tolerance`. */
  readonly tolerance?: number;
  /** Default 300 (`--horizontal-pod-autoscaler-downscale-stabilization`); 0 to 3600. */
  readonly scaleDownStabilizationSeconds?: number;
  /** Default 0; 0 to 3600. Ignored with `legacyNormalization`, which has no upscale window. */
  readonly scaleUpStabilizationSeconds?: number;
  readonly policies?: { readonly scaleUp?: HpaScalingRules; readonly scaleDown?: HpaScalingRules };
  /** The pods' CPU request in cores (the target's `resources.cores`); needed for per-pod usages. */
  readonly requestCores?: number;
  /** The HPA has no `spec.behavior`: the controller's older normalisation (see above). Default false. */
  readonly legacyNormalization?: boolean;
}

/** The specification with every default filled in, as the API server stores it. */
export interface HpaSpec {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly targetUtilizationPercent: number;
  readonly tolerance: number;
  readonly scaleDownStabilizationSeconds: number;
  readonly scaleUpStabilizationSeconds: number;
  readonly scaleUp: Required<HpaScalingRules>;
  readonly scaleDown: Required<HpaScalingRules>;
  readonly requestCores: number | null;
  readonly legacyNormalization: boolean;
}

// --- one sync -------------------------------------------------------------------------------------

/**
 * What the controller reads at a sync: the target's replica count and either the pods' mean CPU
 * utilization (percent of request, truncated to a whole percent as the controller does) or each pod's
 * CPU usage in cores (pods missing from the list have no metric).
 */
export type HpaObservation =
  | { readonly currentReplicas: number; readonly utilizationPercent: number }
  | { readonly currentReplicas: number; readonly podCpuCores: readonly number[] };

export type HpaConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

export interface HpaCondition {
  readonly type: HpaConditionType;
  readonly status: 'True' | 'False';
  /** When `status` last changed, Unix ms. */
  readonly lastTransitionMs: number;
  readonly reason: string;
  readonly message: string;
}

/** The conditions as the object holds them; ScalingActive and ScalingLimited appear once first set. */
export interface HpaConditions {
  readonly AbleToScale: HpaCondition;
  readonly ScalingActive?: HpaCondition;
  readonly ScalingLimited?: HpaCondition;
}

/** The event of a rescale, as `kubectl get events` shows it for the HPA. */
export interface HpaEvent {
  readonly type: 'Normal';
  readonly reason: 'SuccessfulRescale';
  /** `New size: %d; reason: %s`. */
  readonly message: string;
}

export interface HpaStep {
  /** The replica count the controller leaves the target at: the new size, or the current one. */
  readonly desiredReplicas: number;
  /** The metric's proposal before stabilization and policies (what the window records); null when none was computed. */
  readonly recommendation: number | null;
  /** The proposal after the stabilization windows; null with `recommendation`. */
  readonly stabilizedRecommendation: number | null;
  /** The utilization the status reports (whole percent, pods with a metric only); null when none was computed. */
  readonly utilizationPercent: number | null;
  /** Whether the target is rescaled at this sync. */
  readonly rescaled: boolean;
  /** Why (`cpu resource utilization (percentage of request) above target`, `All metrics below target`, …); null without a rescale. */
  readonly reason: string | null;
  readonly event: HpaEvent | null;
  readonly conditions: HpaConditions;
}

/** `status` of the object after the last sync. */
export interface HpaStatus {
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  /** Absent before the first sync and at syncs that computed no metric. */
  readonly currentMetric: { readonly utilizationPercent: number; readonly averageMillicores: number | null } | null;
  readonly conditions: readonly HpaCondition[];
  readonly lastScaleTimeMs: number | null;
}

/** The message of the controller's `SuccessfulRescale` event (horizontal.go: `"New size: %d; reason: %s"`). */
export function rescaleMessage(newSize: number, reason: string): string {
  return `New size: ${newSize}; reason: ${reason}`;
}

/** The controller's name for the metric, in reasons and in ScalingActive's message. */
export const CPU_METRIC_NAME = 'cpu resource utilization (percentage of request)';
/** Reasons of a rescale (horizontal.go, `reconcileAutoscaler`). */
export const RESCALE_REASONS = {
  above: `${CPU_METRIC_NAME} above target`,
  below: 'All metrics below target',
  aboveMax: 'Current number of replicas above Spec.MaxReplicas',
  belowMin: 'Current number of replicas below Spec.MinReplicas',
} as const;

/** defaults.go: `defaultHPAScaleUpRules` (in that order) and `defaultHPAScaleDownRules`. */
const DEFAULT_SCALE_UP_POLICIES: readonly HpaScalingPolicy[] = [
  { type: 'Pods', value: 4, periodSeconds: 15 },
  { type: 'Percent', value: 100, periodSeconds: 15 },
];
const DEFAULT_SCALE_DOWN_POLICIES: readonly HpaScalingPolicy[] = [{ type: 'Percent', value: 100, periodSeconds: 15 }];
/** horizontal.go: `scaleUpLimitFactor`, `scaleUpLimitMinimum` of the older normalisation. */
const LEGACY_SCALE_UP_FACTOR = 2;
const LEGACY_SCALE_UP_MINIMUM = 4;
const MAX_INT32 = 2 ** 31 - 1;
const MIN_INT32 = -(2 ** 31);

const MESSAGES = {
  succeededGetScale: "the HPA controller was able to get the target's current scale",
  readyForNewScale: 'recommended size matches current size',
  scaleUpStabilized: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
  scaleDownStabilized: 'recent recommendations were higher than current one, applying the highest recent recommendation',
  validMetricFound: `the HPA was able to successfully calculate a replica count from ${CPU_METRIC_NAME}`,
  scalingDisabled: 'scaling is disabled since the replica count of the target is zero',
  desiredWithinRange: 'the desired count is within the acceptable range',
  tooManyReplicas: 'the desired replica count is more than the maximum replica count',
  tooFewReplicas: 'the desired replica count is less than the minimum replica count',
  scaleUpLimit: 'the desired replica count is increasing faster than the maximum scale rate',
  scaleDownLimit: 'the desired replica count is decreasing faster than the maximum scale rate',
} as const;

/** A proposal as the stabilization windows remember it. */
export interface HpaRecommendation {
  readonly replicas: number;
  readonly timeMs: number;
}

interface ScaleEvent {
  readonly replicaChange: number;
  readonly timeMs: number;
  outdated: boolean;
}

interface Limited {
  readonly replicas: number;
  readonly reason: string;
  readonly message: string;
}

/**
 * One HorizontalPodAutoscaler's controller. `step` is one sync (`reconcileAutoscaler`); times are Unix
 * ms that never go back. A recommendation or scale event exactly a window (or period) old no longer
 * counts: the controller compares with Go's strict `time.After`.
 */
export class HpaController {
  readonly spec: HpaSpec;
  private recommendations: HpaRecommendation[] | null = null;
  private readonly scaleUpEvents: ScaleEvent[] = [];
  private readonly scaleDownEvents: ScaleEvent[] = [];
  private readonly conditionList: HpaCondition[] = [];
  private lastNowMs: number | null = null;
  private statusValue: HpaStatus | null = null;

  constructor(options: HpaControllerOptions) {
    this.spec = resolveSpec(options);
  }

  /** The status after the last sync; null before the first. */
  get status(): HpaStatus | null {
    return this.statusValue;
  }

  /** The proposals the stabilization windows still hold (oldest slots are reused, as the controller does). */
  get history(): readonly HpaRecommendation[] {
    return [...(this.recommendations ?? [])];
  }

  step(nowMs: number, observation: HpaObservation): HpaStep {
    if (!(typeof nowMs === 'number' && Number.isFinite(nowMs))) throw new CliError(`hpa: time \`${String(nowMs)}\` is not a number: expected Unix milliseconds`);
    if (this.lastNowMs !== null && nowMs < this.lastNowMs) {
      throw new CliError(`hpa: time \`${nowMs}\` is before the previous sync at \`${this.lastNowMs}\`: expected syncs in time order`);
    }
    const { currentReplicas } = observation;
    if (!(Number.isInteger(currentReplicas) && currentReplicas >= 0)) {
      throw new CliError(`hpa: currentReplicas \`${String(currentReplicas)}\` is out of range: expected an integer ≥ 0`);
    }
    const metric = this.readMetric(observation);
    this.lastNowMs = nowMs;
    const { spec } = this;

    this.setCondition(nowMs, 'AbleToScale', 'True', 'SucceededGetScale', MESSAGES.succeededGetScale);
    this.recommendations ??= [{ replicas: currentReplicas, timeMs: nowMs }];

    let desired = 0;
    let rescaleReason = '';
    let rescale = true;
    let recommendation: number | null = null;
    let stabilized: number | null = null;
    let utilization: number | null = null;
    let averageMillicores: number | null = null;
    if (currentReplicas === 0) {
      // minReplicas is at least 1 here, so a target scaled to 0 by hand switches the HPA off.
      rescale = false;
      this.setCondition(nowMs, 'ScalingActive', 'False', 'ScalingDisabled', MESSAGES.scalingDisabled);
    } else if (currentReplicas > spec.maxReplicas) {
      rescaleReason = RESCALE_REASONS.aboveMax;
      desired = spec.maxReplicas;
    } else if (currentReplicas < spec.minReplicas) {
      rescaleReason = RESCALE_REASONS.belowMin;
      desired = spec.minReplicas;
    } else {
      const proposal = this.proposal(currentReplicas, metric);
      recommendation = proposal.replicas;
      utilization = proposal.utilization;
      averageMillicores = proposal.averageMillicores;
      this.setCondition(nowMs, 'ScalingActive', 'True', 'ValidMetricFound', MESSAGES.validMetricFound);
      if (recommendation > currentReplicas) rescaleReason = RESCALE_REASONS.above;
      if (recommendation < currentReplicas) rescaleReason = RESCALE_REASONS.below;
      const normalized = spec.legacyNormalization ? this.normalizeLegacy(nowMs, currentReplicas, recommendation) : this.normalize(nowMs, currentReplicas, recommendation);
      stabilized = normalized.stabilized;
      desired = normalized.desired;
      rescale = desired !== currentReplicas;
    }

    let event: HpaEvent | null = null;
    if (rescale) {
      this.setCondition(nowMs, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`);
      event = { type: 'Normal', reason: 'SuccessfulRescale', message: rescaleMessage(desired, rescaleReason) };
      if (!spec.legacyNormalization) this.storeScaleEvent(nowMs, currentReplicas, desired);
    } else {
      desired = currentReplicas;
    }
    this.statusValue = {
      currentReplicas,
      desiredReplicas: desired,
      currentMetric: utilization === null ? null : { utilizationPercent: utilization, averageMillicores },
      conditions: [...this.conditionList],
      lastScaleTimeMs: rescale ? nowMs : (this.statusValue?.lastScaleTimeMs ?? null),
    };
    return {
      desiredReplicas: desired,
      recommendation,
      stabilizedRecommendation: stabilized,
      utilizationPercent: utilization,
      rescaled: rescale,
      reason: rescale ? rescaleReason : null,
      event,
      conditions: this.conditions(),
    };
  }

  /** The observation's utilization in whole percent and millicores, validated. */
  private readMetric(observation: HpaObservation): { utilization: number; pods: readonly number[] | null } {
    if ('podCpuCores' in observation) {
      const { podCpuCores } = observation;
      if (!Array.isArray(podCpuCores)) throw new CliError(`hpa: podCpuCores is \`${String(podCpuCores)}\`: expected an array of CPU usages in cores`);
      if (this.spec.requestCores === null) {
        throw new CliError('hpa: per-pod CPU usages need the pods\' request: expected `requestCores` in the controller\'s options', {
          note: 'pass the target\'s `resources.cores`, or give `utilizationPercent` instead',
        });
      }
      podCpuCores.forEach((cores, i) => {
        if (!(typeof cores === 'number' && Number.isFinite(cores) && cores >= 0)) {
          throw new CliError(`hpa: podCpuCores[${i}] is \`${String(cores)}\`: expected a CPU usage in cores ≥ 0`);
        }
      });
      if (podCpuCores.length === 0 && observation.currentReplicas > 0) {
        throw new CliError('hpa: podCpuCores is empty: expected the usage of at least one pod', { note: 'the controller computes nothing without a metric (FailedGetResourceMetric)' });
      }
      const usage = podCpuCores.map(millicores);
      const request = millicores(this.spec.requestCores);
      return { utilization: usage.length === 0 ? 0 : Math.floor((sum(usage) * 100) / (request * usage.length)), pods: usage };
    }
    const { utilizationPercent } = observation;
    if (!(typeof utilizationPercent === 'number' && Number.isFinite(utilizationPercent) && utilizationPercent >= 0)) {
      throw new CliError(`hpa: utilizationPercent \`${String(utilizationPercent)}\` is out of range: expected a percentage ≥ 0`);
    }
    // The controller's utilization is an integer division; a percentage computed in floating point
    // (59.99999999999999 for 60) is truncated as if it had been exact.
    return { utilization: Math.floor(utilizationPercent + 1e-9), pods: null };
  }

  /** replica_calculator.go `GetResourceReplicas` for one CPU Utilization target. */
  private proposal(currentReplicas: number, metric: { utilization: number; pods: readonly number[] | null }): { replicas: number; utilization: number; averageMillicores: number | null } {
    const { targetUtilizationPercent: target, tolerance } = this.spec;
    const within = (ratio: number): boolean => 1 - tolerance <= ratio && ratio <= 1 + tolerance;
    const utilization = metric.utilization;
    const ratio = utilization / target;
    const ready = metric.pods?.length ?? currentReplicas;
    const averageMillicores = metric.pods === null ? null : Math.floor(sum(metric.pods) / metric.pods.length);
    const missing = Math.max(0, currentReplicas - ready);
    if (missing === 0) {
      return { replicas: within(ratio) ? currentReplicas : Math.ceil(ratio * ready), utilization, averageMillicores };
    }
    // Pods without a metric: as much as the request (or the target, above 100 %) on a scale-down,
    // nothing on a scale-up; exactly at target they are left out.
    const request = millicores(this.spec.requestCores ?? 0);
    const usage = [...(metric.pods ?? [])];
    if (ratio < 1) for (let i = 0; i < missing; i++) usage.push(Math.floor((request * Math.max(100, target)) / 100));
    else if (ratio > 1) for (let i = 0; i < missing; i++) usage.push(0);
    const newRatio = Math.floor((sum(usage) * 100) / (request * usage.length)) / target;
    if (within(newRatio) || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return { replicas: currentReplicas, utilization, averageMillicores };
    const replicas = Math.ceil(newRatio * usage.length);
    if ((newRatio < 1 && replicas > currentReplicas) || (newRatio > 1 && replicas < currentReplicas)) return { replicas: currentReplicas, utilization, averageMillicores };
    return { replicas, utilization, averageMillicores };
  }

  /** horizontal.go `normalizeDesiredReplicasWithBehaviors`: stabilization, then the policies' rate and the bounds. */
  private normalize(nowMs: number, current: number, proposal: number): { stabilized: number; desired: number } {
    const { spec } = this;
    const upCutoff = nowMs - spec.scaleUpStabilizationSeconds * 1000;
    const downCutoff = nowMs - spec.scaleDownStabilizationSeconds * 1000;
    const history = this.recommendations as HpaRecommendation[];
    let up = proposal;
    let down = proposal;
    let obsolete = -1;
    history.forEach((rec, i) => {
      if (rec.timeMs > upCutoff) up = Math.min(rec.replicas, up);
      if (rec.timeMs > downCutoff) down = Math.max(rec.replicas, down);
      if (rec.timeMs < upCutoff && rec.timeMs < downCutoff) obsolete = i;
    });
    let stabilized = current;
    if (stabilized < up) stabilized = up;
    if (stabilized > down) stabilized = down;
    const record = { replicas: proposal, timeMs: nowMs };
    if (obsolete >= 0) history[obsolete] = record;
    else history.push(record);

    if (stabilized !== proposal) {
      const upward = proposal >= current;
      this.setCondition(nowMs, 'AbleToScale', 'True', upward ? 'ScaleUpStabilized' : 'ScaleDownStabilized', upward ? MESSAGES.scaleUpStabilized : MESSAGES.scaleDownStabilized);
    } else {
      this.setCondition(nowMs, 'AbleToScale', 'True', 'ReadyForNewScale', MESSAGES.readyForNewScale);
    }
    const limited = this.rateLimited(nowMs, current, stabilized);
    this.setCondition(nowMs, 'ScalingLimited', limited.replicas === stabilized ? 'False' : 'True', limited.reason, limited.message);
    return { stabilized, desired: limited.replicas };
  }

  /** horizontal.go `convertDesiredReplicasWithBehaviorRate`. */
  private rateLimited(nowMs: number, current: number, desired: number): Limited {
    const { spec } = this;
    if (desired > current) {
      const limit = Math.max(this.scaleUpLimit(nowMs, current), current);
      const bounded: Limited =
        spec.maxReplicas > limit
          ? { replicas: limit, reason: 'ScaleUpLimit', message: MESSAGES.scaleUpLimit }
          : { replicas: spec.maxReplicas, reason: 'TooManyReplicas', message: MESSAGES.tooManyReplicas };
      if (desired > bounded.replicas) return bounded;
    } else if (desired < current) {
      const limit = Math.min(this.scaleDownLimit(nowMs, current), current);
      const bounded: Limited =
        spec.minReplicas < limit
          ? { replicas: limit, reason: 'ScaleDownLimit', message: MESSAGES.scaleDownLimit }
          : { replicas: spec.minReplicas, reason: 'TooFewReplicas', message: MESSAGES.tooFewReplicas };
      if (desired < bounded.replicas) return bounded;
    }
    return { replicas: desired, reason: 'DesiredWithinRange', message: MESSAGES.desiredWithinRange };
  }

  /** horizontal.go `calculateScaleUpLimitWithScalingRules`. */
  private scaleUpLimit(nowMs: number, current: number): number {
    const { selectPolicy, policies } = this.spec.scaleUp;
    if (selectPolicy === 'Disabled') return current;
    const pick = selectPolicy === 'Min' ? Math.min : Math.max;
    let result = selectPolicy === 'Min' ? MAX_INT32 : MIN_INT32;
    for (const policy of policies) {
      const start = current - changes(this.scaleUpEvents, nowMs, policy.periodSeconds) + changes(this.scaleDownEvents, nowMs, policy.periodSeconds);
      // Rounded up so that a small percentage of a few pods still adds one (the controller's comment).
      const proposed = policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100));
      result = pick(result, proposed);
    }
    return result;
  }

  /** horizontal.go `calculateScaleDownLimitWithBehaviors`. */
  private scaleDownLimit(nowMs: number, current: number): number {
    const { selectPolicy, policies } = this.spec.scaleDown;
    if (selectPolicy === 'Disabled') return current;
    const pick = selectPolicy === 'Min' ? Math.max : Math.min;
    let result = selectPolicy === 'Min' ? MIN_INT32 : MAX_INT32;
    for (const policy of policies) {
      const start = current - changes(this.scaleUpEvents, nowMs, policy.periodSeconds) + changes(this.scaleDownEvents, nowMs, policy.periodSeconds);
      // Go's int32(float64): truncation towards zero.
      const proposed = policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100));
      result = pick(result, proposed);
    }
    return result;
  }

  /** horizontal.go `storeScaleEvent`: one event per rescale, reusing a slot older than the longest period. */
  private storeScaleEvent(nowMs: number, previous: number, next: number): void {
    const upward = next > previous;
    const events = upward ? this.scaleUpEvents : this.scaleDownEvents;
    const longest = Math.max(0, ...(upward ? this.spec.scaleUp : this.spec.scaleDown).policies.map((p) => p.periodSeconds));
    const cutoff = nowMs - longest * 1000;
    let reuse = -1;
    events.forEach((event, i) => {
      if (event.timeMs < cutoff) event.outdated = true;
      if (event.outdated) reuse = i;
    });
    const event = { replicaChange: Math.abs(next - previous), timeMs: nowMs, outdated: false };
    if (reuse >= 0) events[reuse] = event;
    else events.push(event);
  }

  /** horizontal.go `normalizeDesiredReplicas` and `convertDesiredReplicasWithRules` (no `spec.behavior`). */
  private normalizeLegacy(nowMs: number, current: number, proposal: number): { stabilized: number; desired: number } {
    const { spec } = this;
    const cutoff = nowMs - spec.scaleDownStabilizationSeconds * 1000;
    const history = this.recommendations as HpaRecommendation[];
    let stabilized = proposal;
    let obsolete = -1;
    history.forEach((rec, i) => {
      if (rec.timeMs < cutoff) obsolete = i;
      else if (rec.replicas > stabilized) stabilized = rec.replicas;
    });
    const record = { replicas: proposal, timeMs: nowMs };
    if (obsolete >= 0) history[obsolete] = record;
    else history.push(record);
    if (stabilized !== proposal) this.setCondition(nowMs, 'AbleToScale', 'True', 'ScaleDownStabilized', MESSAGES.scaleDownStabilized);
    else this.setCondition(nowMs, 'AbleToScale', 'True', 'ReadyForNewScale', MESSAGES.readyForNewScale);

    const scaleUpLimit = Math.trunc(Math.max(LEGACY_SCALE_UP_FACTOR * current, LEGACY_SCALE_UP_MINIMUM));
    let limited: Limited;
    const upper: Limited =
      spec.maxReplicas > scaleUpLimit
        ? { replicas: scaleUpLimit, reason: 'ScaleUpLimit', message: MESSAGES.scaleUpLimit }
        : { replicas: spec.maxReplicas, reason: 'TooManyReplicas', message: MESSAGES.tooManyReplicas };
    if (stabilized < spec.minReplicas) limited = { replicas: spec.minReplicas, reason: 'TooFewReplicas', message: MESSAGES.tooFewReplicas };
    else if (stabilized > upper.replicas) limited = upper;
    else limited = { replicas: stabilized, reason: 'DesiredWithinRange', message: MESSAGES.desiredWithinRange };
    this.setCondition(nowMs, 'ScalingLimited', limited.replicas === stabilized ? 'False' : 'True', limited.reason, limited.message);
    return { stabilized, desired: limited.replicas };
  }

  /** horizontal.go `setConditionInList`: added once, in first-set order; the transition time moves only when the status changes. */
  private setCondition(nowMs: number, type: HpaConditionType, status: 'True' | 'False', reason: string, message: string): void {
    const index = this.conditionList.findIndex((c) => c.type === type);
    const existing = index >= 0 ? this.conditionList[index] : undefined;
    const condition = { type, status, lastTransitionMs: existing !== undefined && existing.status === status ? existing.lastTransitionMs : nowMs, reason, message };
    if (index >= 0) this.conditionList[index] = condition;
    else this.conditionList.push(condition);
  }

  private conditions(): HpaConditions {
    const byType = new Map(this.conditionList.map((c) => [c.type, c]));
    const able = byType.get('AbleToScale') as HpaCondition;
    const active = byType.get('ScalingActive');
    const limited = byType.get('ScalingLimited');
    return { AbleToScale: able, ...(active === undefined ? {} : { ScalingActive: active }), ...(limited === undefined ? {} : { ScalingLimited: limited }) };
  }
}

// --- the object -----------------------------------------------------------------------------------

export interface HpaObjectOptions {
  readonly name: string;
  readonly namespace?: string;
  /** The scale target; default kind `Deployment`, apiVersion `apps/v1`, name the HPA's name. */
  readonly target?: { readonly kind?: string; readonly name?: string; readonly apiVersion?: string };
}

/**
 * The controller's state as the autoscaling/v2 HorizontalPodAutoscaler that `kubectl get hpa -o json`
 * prints: spec with every default the API server fills in (`spec.behavior` only when the HPA has one),
 * status as the last sync left it. Keys in the order Go's encoder writes them (field order of
 * k8s.io/api/autoscaling/v2 types.go); times as RFC 3339 in whole seconds, like metav1.Time.
 */
export function hpaObject(controller: HpaController, options: HpaObjectOptions): HorizontalPodAutoscalerV2 {
  const { spec, status } = controller;
  const target = options.target ?? {};
  const rules = (r: Required<HpaScalingRules>, window: number): HpaScalingRulesV2 => ({
    stabilizationWindowSeconds: window,
    selectPolicy: r.selectPolicy,
    policies: r.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })),
  });
  const object: HorizontalPodAutoscalerV2 = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: options.name, ...(options.namespace === undefined ? {} : { namespace: options.namespace }) },
    spec: {
      scaleTargetRef: { apiVersion: target.apiVersion ?? 'apps/v1', kind: target.kind ?? 'Deployment', name: target.name ?? options.name },
      minReplicas: spec.minReplicas,
      maxReplicas: spec.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetUtilizationPercent } } }],
      ...(spec.legacyNormalization
        ? {}
        : { behavior: { scaleUp: rules(spec.scaleUp, spec.scaleUpStabilizationSeconds), scaleDown: rules(spec.scaleDown, spec.scaleDownStabilizationSeconds) } }),
    },
    // A new HPA's status is Go's zero value: `currentMetrics` has no omitempty, so it is null.
    status: status === null ? { desiredReplicas: 0, currentMetrics: null } : statusV2(status),
  };
  return object;
}

function statusV2(status: HpaStatus): HorizontalPodAutoscalerStatusV2 {
  const metric = status.currentMetric;
  return {
    ...(status.lastScaleTimeMs === null ? {} : { lastScaleTime: rfc3339(status.lastScaleTimeMs) }),
    // `currentReplicas` is omitempty (absent at 0), `currentMetrics` is not (null without a metric).
    ...(status.currentReplicas === 0 ? {} : { currentReplicas: status.currentReplicas }),
    desiredReplicas: status.desiredReplicas,
    ...(metric === null
      ? { currentMetrics: null }
      : {
          currentMetrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                current: { ...(metric.averageMillicores === null ? {} : { averageValue: milliQuantity(metric.averageMillicores) }), averageUtilization: metric.utilizationPercent },
              },
            },
          ],
        }),
    conditions: status.conditions.map((c) => ({ type: c.type, status: c.status, lastTransitionTime: rfc3339(c.lastTransitionMs), reason: c.reason, message: c.message })),
  };
}

/** The subset of autoscaling/v2 HorizontalPodAutoscaler this module writes (k8s.io/api/autoscaling/v2). */
export interface HorizontalPodAutoscalerV2 {
  apiVersion: 'autoscaling/v2';
  kind: 'HorizontalPodAutoscaler';
  metadata: { name: string; namespace?: string };
  spec: {
    scaleTargetRef: { apiVersion: string; kind: string; name: string };
    minReplicas: number;
    maxReplicas: number;
    metrics: { type: 'Resource'; resource: { name: 'cpu'; target: { type: 'Utilization'; averageUtilization: number } } }[];
    behavior?: { scaleUp: HpaScalingRulesV2; scaleDown: HpaScalingRulesV2 };
  };
  status: HorizontalPodAutoscalerStatusV2;
}

export interface HpaScalingRulesV2 {
  stabilizationWindowSeconds: number;
  selectPolicy: HpaSelectPolicy;
  policies: { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }[];
}

export interface HorizontalPodAutoscalerStatusV2 {
  lastScaleTime?: string;
  currentReplicas?: number;
  desiredReplicas: number;
  currentMetrics: { type: 'Resource'; resource: { name: 'cpu'; current: { averageValue?: string; averageUtilization: number } } }[] | null;
  conditions?: { type: HpaConditionType; status: 'True' | 'False'; lastTransitionTime: string; reason: string; message: string }[];
}

// --- helpers --------------------------------------------------------------------------------------

function resolveSpec(options: HpaControllerOptions): HpaSpec {
  const {
    minReplicas = 1,
    maxReplicas,
    targetUtilizationPercent,
    tolerance = 0.1,
    scaleDownStabilizationSeconds = 300,
    scaleUpStabilizationSeconds = 0,
    policies = {},
    requestCores,
    legacyNormalization = false,
  } = options;
  const integer = (name: string, value: unknown, min: number, max: number, note?: string): number => {
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)) {
      throw new CliError(`hpa: ${name} \`${String(value)}\` is out of range: expected an integer from ${min} to ${max}`, note === undefined ? {} : { note });
    }
    return value;
  };
  integer('minReplicas', minReplicas, 1, MAX_INT32, 'minReplicas 0 needs the HPAScaleToZero feature gate and an object or external metric; a CPU target cannot scale to zero');
  integer('maxReplicas', maxReplicas, minReplicas, MAX_INT32);
  integer('targetUtilizationPercent', targetUtilizationPercent, 1, MAX_INT32);
  integer('scaleDownStabilizationSeconds', scaleDownStabilizationSeconds, 0, 3600);
  integer('scaleUpStabilizationSeconds', scaleUpStabilizationSeconds, 0, 3600);
  if (!(typeof tolerance === 'number' && Number.isFinite(tolerance) && tolerance >= 0)) {
    throw new CliError(`hpa: tolerance \`${String(tolerance)}\` is out of range: expected a number ≥ 0 (0.1 is 10%)`);
  }
  if (requestCores !== undefined && !(typeof requestCores === 'number' && Number.isFinite(requestCores) && requestCores >= 0.001)) {
    throw new CliError(`hpa: requestCores \`${String(requestCores)}\` is out of range: expected a CPU request of at least 0.001 cores (1m)`);
  }
  const rules = (direction: 'scaleUp' | 'scaleDown', given: HpaScalingRules | undefined, defaults: readonly HpaScalingPolicy[]): Required<HpaScalingRules> => {
    const selectPolicy = given?.selectPolicy ?? 'Max';
    if (!(['Max', 'Min', 'Disabled'] as const).includes(selectPolicy)) {
      throw new CliError(`hpa: ${direction}.selectPolicy \`${String(selectPolicy)}\` is not known: expected \`Max\`, \`Min\` or \`Disabled\``);
    }
    const list = given?.policies ?? defaults;
    if (list.length === 0 && selectPolicy !== 'Disabled') {
      throw new CliError(`hpa: ${direction}.policies is empty: expected at least one policy`, { note: 'to stop scaling in that direction, set selectPolicy `Disabled`' });
    }
    list.forEach((policy, i) => {
      if (policy.type !== 'Pods' && policy.type !== 'Percent') {
        throw new CliError(`hpa: ${direction}.policies[${i}].type \`${String(policy.type)}\` is not known: expected \`Pods\` or \`Percent\``);
      }
      integer(`${direction}.policies[${i}].value`, policy.value, 1, MAX_INT32);
      integer(`${direction}.policies[${i}].periodSeconds`, policy.periodSeconds, 1, 1800);
    });
    return { selectPolicy, policies: list.map((p) => ({ ...p })) };
  };
  return {
    minReplicas,
    maxReplicas,
    targetUtilizationPercent,
    tolerance,
    scaleDownStabilizationSeconds,
    scaleUpStabilizationSeconds,
    scaleUp: rules('scaleUp', policies.scaleUp, DEFAULT_SCALE_UP_POLICIES),
    scaleDown: rules('scaleDown', policies.scaleDown, DEFAULT_SCALE_DOWN_POLICIES),
    requestCores: requestCores ?? null,
    legacyNormalization,
  };
}

/** Replica changes of the events strictly younger than the period (horizontal.go `getReplicasChangePerPeriod`). */
function changes(events: readonly ScaleEvent[], nowMs: number, periodSeconds: number): number {
  const cutoff = nowMs - periodSeconds * 1000;
  return events.reduce((total, event) => (event.timeMs > cutoff ? total + event.replicaChange : total), 0);
}

/**
 * Cores as whole millicores, rounded up like resource.Quantity.MilliValue() (metrics-server reports
 * nanocores); a value within 1e-9 of a whole millicore is that millicore, not the next, so that
 * 0.3 cores is 300m although 0.3 × 1000 is 300.00000000000006.
 */
function millicores(cores: number): number {
  const milli = cores * 1000;
  const nearest = Math.round(milli);
  return Math.abs(milli - nearest) <= 1e-9 * Math.max(1, nearest) ? nearest : Math.ceil(milli);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** A millicore quantity as resource.NewMilliQuantity(v, DecimalSI) prints it: `301m`, or `2` for 2000m. */
function milliQuantity(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** metav1.Time's JSON: RFC 3339 in UTC, whole seconds. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
