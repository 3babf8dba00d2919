/**
 * The HPA controller model against the Kubernetes docs' worked examples and defaults
 * (https://kubernetes.io/docs/concepts/workloads/autoscaling/horizontal-pod-autoscale/, "Algorithm
 * details" and "Configurable scaling behavior"), the controller's source where the docs are silent
 * (kubernetes/kubernetes pkg/controller/podautoscaler/horizontal.go, replica_calculator.go), a status
 * captured from a real cluster (../shared/reference/formats.md §2.4), and the API server's schemas.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parseHpaJson } from '../../analysis/snapshots/hpa.ts';
import { repoRoot } from '../../scripts/lib/cli.ts';
import { CliError } from '../../scripts/lib/cli.ts';
import {
  CPU_METRIC_NAME,
  HpaController,
  type HpaControllerOptions,
  type HpaObservation,
  RESCALE_REASONS,
  hpaObject,
  rescaleMessage,
} from '../../scripts/lib/hpa-algorithm.ts';

const S = 1000;
/** 2023-11-14T22:13:20Z, so that times in the object are readable. */
const T0 = 1_700_000_000_000;
const ABOVE = `${CPU_METRIC_NAME} above target`;

const controller = (options: HpaControllerOptions): HpaController => new HpaController(Object.freeze({ ...options }));
/** One sync at T0 + seconds. */
const at = (hpa: HpaController, seconds: number, observation: HpaObservation) => hpa.step(T0 + seconds * S, Object.freeze({ ...observation }));
/** n pods sharing `cores` of CPU demand evenly. */
const share = (cores: number, n: number): number[] => Array.from({ length: n }, () => cores / n);

// --- Algorithm details -----------------------------------------------------------------------------

describe('the replica count the metric asks for', () => {
  it('doubles at 200m against a 100m target (the docs: 200.0 / 100.0 == 2.0)', () => {
    // A 100m target is 50% of a 200m request; each pod uses 200m, 100% of it.
    const hpa = controller({ maxReplicas: 10, targetUtilizationPercent: 50, requestCores: 0.2 });
    const step = at(hpa, 0, { currentReplicas: 3, podCpuCores: [0.2, 0.2, 0.2] });
    expect(step).toMatchObject({ utilizationPercent: 100, recommendation: 6, desiredReplicas: 6, rescaled: true, reason: ABOVE });
    expect(step.event).toEqual({ type: 'Normal', reason: 'SuccessfulRescale', message: `New size: 6; reason: ${ABOVE}` });
  });

  it('halves at 50m against 100m (the docs: 50.0 / 100.0 == 0.5), once the downscale window allows', () => {
    const pods = { currentReplicas: 4, podCpuCores: [0.05, 0.05, 0.05, 0.05] };
    // Default window: the first sync records the current 4, which holds the scale-down for 300 s.
    const held = at(controller({ maxReplicas: 10, targetUtilizationPercent: 50, requestCores: 0.2 }), 0, pods);
    expect(held).toMatchObject({ utilizationPercent: 25, recommendation: 2, stabilizedRecommendation: 4, desiredReplicas: 4, rescaled: false, event: null });
    expect(held.conditions.AbleToScale).toMatchObject({ reason: 'ScaleDownStabilized' });
    const immediate = at(controller({ maxReplicas: 10, targetUtilizationPercent: 50, requestCores: 0.2, scaleDownStabilizationSeconds: 0 }), 0, pods);
    expect(immediate).toMatchObject({ recommendation: 2, desiredReplicas: 2, reason: RESCALE_REASONS.below });
    expect(immediate.event?.message).toBe('New size: 2; reason: All metrics below target');
  });

  // Target 50%, no downscale window, so the proposal is what the controller does. The tolerance band is
  // 0.9 ≤ ratio ≤ 1.1, inclusive (replica_calculator.go `Tolerances.isWithin`, Kubernetes 1.33 on).
  // Before 1.33 the test was |1 − ratio| ≤ 0.1, and |1 − 55/50| is 0.10000000000000009 in float64:
  // 55% against 50% scaled 4 replicas to 5 there, and holds them here.
  it.each([
    ['54% (ratio 1.08): within tolerance', 4, 54, 4],
    ['55% (ratio 1.1 exactly): still within', 4, 55, 4],
    ['56% (ratio 1.12): ⌈1.12 × 4⌉', 4, 56, 5],
    ['45% (ratio 0.9 exactly): within', 10, 45, 10],
    ['44% (ratio 0.88): ⌈0.88 × 10⌉', 10, 44, 9],
    ['44% with 4 pods: ⌈3.52⌉ is still 4', 4, 44, 4],
    ['0%: ⌈0⌉, then minReplicas', 4, 0, 0],
    ['55.9% is 55% (the controller’s integer division): within', 4, 55.9, 4],
    ['a computed 55.99999999999999 is 56%, not 55%', 4, 55.99999999999999, 5],
    ['1000% (ratio 20)', 2, 1000, 40],
  ])('%s', (_name, currentReplicas, utilizationPercent, recommendation) => {
    const hpa = controller({ maxReplicas: 100, targetUtilizationPercent: 50, scaleDownStabilizationSeconds: 0 });
    expect(at(hpa, 0, { currentReplicas, utilizationPercent }).recommendation).toBe(recommendation);
  });

  it('takes utilization as ⌊100·Σ usage / Σ request⌋ in whole millicores, and reports the mean usage', () => {
    // 100m + 100m + 150m of 3 × 300m: 38.9% → 38%; mean 116.7m → 116m (Go integer division).
    const hpa = controller({ maxReplicas: 10, targetUtilizationPercent: 50, requestCores: 0.3 });
    expect(at(hpa, 0, { currentReplicas: 3, podCpuCores: [0.1, 0.1, 0.15] })).toMatchObject({ utilizationPercent: 38, recommendation: 3 });
    expect(hpaObject(hpa, { name: 'web' }).status.currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '116m', averageUtilization: 38 } } }]);
  });

  it('treats pods without a metric conservatively on a scale-down (the docs: as 100% of the request)', () => {
    // 10 replicas, 8 report 100m of 1 core (10%, ratio 0.2): alone they would give ⌈0.2 × 8⌉ = 2. The two
    // silent pods count as max(100%, target) = 1000m: 2800m of 10 cores, 28%, ratio 0.56 → ⌈5.6⌉ = 6.
    const hpa = controller({ maxReplicas: 10, targetUtilizationPercent: 50, requestCores: 1, scaleDownStabilizationSeconds: 0 });
    const step = at(hpa, 0, { currentReplicas: 10, podCpuCores: share(0.8, 8) });
    expect(step).toMatchObject({ utilizationPercent: 10, recommendation: 6, desiredReplicas: 6 });
    // 4 replicas, 3 at 20%: 600m + 1000m of 4 cores is 40%, ratio 0.8 → ⌈3.2⌉ = 4: no change at all.
    expect(at(controller({ maxReplicas: 10, targetUtilizationPercent: 50, requestCores: 1, scaleDownStabilizationSeconds: 0 }), 0, { currentReplicas: 4, podCpuCores: share(0.6, 3) }).recommendation).toBe(4);
  });
});

// --- clamping --------------------------------------------------------------------------------------

describe('minReplicas and maxReplicas', () => {
  it('stops at maxReplicas: ScalingLimited True, TooManyReplicas', () => {
    const hpa = controller({ minReplicas: 2, maxReplicas: 10, targetUtilizationPercent: 50 });
    const step = at(hpa, 0, { currentReplicas: 8, utilizationPercent: 100 });
    expect(step).toMatchObject({ recommendation: 16, desiredReplicas: 10, event: { message: `New size: 10; reason: ${ABOVE}` } });
    expect(step.conditions.ScalingLimited).toMatchObject({ status: 'True', reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' });
    // At the maximum the HPA stays put, limited, and reports that it is ready (no stabilization acted).
    const atMax = at(hpa, 15, { currentReplicas: 10, utilizationPercent: 100 });
    expect(atMax).toMatchObject({ desiredReplicas: 10, rescaled: false, event: null });
    expect(atMax.conditions.AbleToScale).toMatchObject({ reason: 'ReadyForNewScale', message: 'recommended size matches current size' });
    expect(atMax.conditions.ScalingLimited).toMatchObject({ status: 'True', reason: 'TooManyReplicas' });
  });

  it('stops at minReplicas: TooFewReplicas', () => {
    const hpa = controller({ minReplicas: 2, maxReplicas: 10, targetUtilizationPercent: 50, scaleDownStabilizationSeconds: 0 });
    const step = at(hpa, 0, { currentReplicas: 3, utilizationPercent: 10 });
    expect(step).toMatchObject({ recommendation: 1, desiredReplicas: 2, event: { message: 'New size: 2; reason: All metrics below target' } });
    expect(step.conditions.ScalingLimited).toMatchObject({ status: 'True', reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' });
  });

  it('brings a count outside the bounds back without reading the metric', () => {
    const hpa = controller({ minReplicas: 2, maxReplicas: 10, targetUtilizationPercent: 50 });
    expect(at(hpa, 0, { currentReplicas: 12, utilizationPercent: 200 })).toMatchObject({
      desiredReplicas: 10,
      recommendation: null,
      utilizationPercent: null,
      event: { message: 'New size: 10; reason: Current number of replicas above Spec.MaxReplicas' },
    });
    expect(at(hpa, 15, { currentReplicas: 1, utilizationPercent: 0 }).event?.message).toBe('New size: 2; reason: Current number of replicas below Spec.MinReplicas');
  });

  it('is disabled while the target is scaled to 0 (the docs: "Implicit maintenance-mode deactivation")', () => {
    const step = at(controller({ maxReplicas: 10, targetUtilizationPercent: 50 }), 0, { currentReplicas: 0, utilizationPercent: 0 });
    expect(step).toMatchObject({ desiredReplicas: 0, rescaled: false, event: null });
    expect(step.conditions.ScalingActive).toMatchObject({ status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
  });
});

// --- stabilization ---------------------------------------------------------------------------------

describe('the stabilization windows', () => {
  it('does not scale down for a dip inside the 300 s window', () => {
    const hpa = controller({ maxReplicas: 10, targetUtilizationPercent: 50 });
    for (let s = 0; s <= 600; s += 15) {
      // 20% for one sync at 60 s: it asks for 2, the window keeps the 4 of the syncs before.
      const step = at(hpa, s, { currentReplicas: 4, utilizationPercent: s === 60 ? 20 : 50 });
      expect(step.desiredReplicas).toBe(4);
      if (s === 60) {
        expect(step.recommendation).toBe(2);
        expect(step.conditions.AbleToScale).toMatchObject({
          reason: 'ScaleDownStabilized',
          message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
        });
      }
    }
  });

  it('scales down once the last higher recommendation is 300 s old', () => {
    const hpa = controller({ maxReplicas: 10, targetUtilizationPercent: 50 });
    for (const s of [0, 15, 30, 45]) at(hpa, s, { currentReplicas: 4, utilizationPercent: 50 });
    for (let s = 60; s <= 330; s += 15) expect(at(hpa, s, { currentReplicas: 4, utilizationPercent: 20 }).desiredReplicas).toBe(4);
    // At 345 s the 4 recorded at 45 s is exactly 300 s old and no longer counts (Go's strict time.After).
    const step = at(hpa, 345, { currentReplicas: 4, utilizationPercent: 20 });
    expect(step).toMatchObject({ desiredReplicas: 2, event: { message: 'New size: 2; reason: All metrics below target' } });
    expect(step.conditions.AbleToScale).toMatchObject({ reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 2' });
  });

  it('holds a scale-up back for a scale-up window, applying the lowest recent recommendation', () => {
    const hpa = controller({ maxReplicas: 10, targetUtilizationPercent: 50, scaleUpStabilizationSeconds: 60 });
    at(hpa, 0, { currentReplicas: 4, utilizationPercent: 50 });
    for (let s = 15; s <= 45; s += 15) {
      const step = at(hpa, s, { currentReplicas: 4, utilizationPercent: 100 });
      expect(step).toMatchObject({ recommendation: 8, desiredReplicas: 4 });
      expect(step.conditions.AbleToScale).toMatchObject({
        reason: 'ScaleUpStabilized',
        message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
      });
    }
    // At 60 s the 4s recorded at 0 s are exactly 60 s old and no longer count: only 8s remain.
    expect(at(hpa, 60, { currentReplicas: 4, utilizationPercent: 100 }).desiredReplicas).toBe(8);
  });
});

// --- scaling policies ------------------------------------------------------------------------------

describe('the scaling policies', () => {
  // 10 cores of demand, 1-core requests, target 50%: 20 replicas would do.
  const demand = (replicas: number): HpaObservation => ({ currentReplicas: replicas, podCpuCores: share(10, replicas) });

  it('adds at most max(4 pods, 100%) per 15 s by default: 1 → 5 → 10 → 20', () => {
    const hpa = controller({ maxReplicas: 30, targetUtilizationPercent: 50, requestCores: 1 });
    const first = at(hpa, 0, demand(1));
    // From 1 replica at 1000%: the Pods policy allows 1 + 4 = 5, the Percent policy ⌈1 × 2⌉ = 2; Max picks 5.
    expect(first).toMatchObject({ utilizationPercent: 1000, recommendation: 20, desiredReplicas: 5, event: { message: `New size: 5; reason: ${ABOVE}` } });
    expect(first.conditions.ScalingLimited).toMatchObject({ status: 'True', reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' });
    // 14 s later the 4 added still count: the period started at 1, so 5 is still the limit.
    expect(at(hpa, 14, demand(5))).toMatchObject({ recommendation: 20, desiredReplicas: 5, rescaled: false });
    // 15 s after the rescale: from 5, max(5 + 4, 10) = 10; then max(14, 20) = 20, what the metric asks.
    expect(at(hpa, 15, demand(5)).desiredReplicas).toBe(10);
    const third = at(hpa, 30, demand(10));
    expect(third.desiredReplicas).toBe(20);
    expect(third.conditions.ScalingLimited).toMatchObject({ status: 'False', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' });
    expect(at(hpa, 45, demand(20))).toMatchObject({ utilizationPercent: 50, desiredReplicas: 20, rescaled: false });
  });

  it('without spec.behavior uses the older rule, max(2 × current, 4) per sync: 1 → 4 → 8 → 16', () => {
    const hpa = controller({ maxReplicas: 30, targetUtilizationPercent: 50, requestCores: 1, legacyNormalization: true });
    expect(at(hpa, 0, demand(1)).desiredReplicas).toBe(4);
    // No memory of the last scale-up: the next sync may double again, however soon.
    expect(at(hpa, 1, demand(4)).desiredReplicas).toBe(8);
    expect(at(hpa, 2, demand(8)).desiredReplicas).toBe(16);
    expect(at(hpa, 3, demand(16)).desiredReplicas).toBe(20);
  });

  it('picks the smallest change with selectPolicy Min, and none with Disabled', () => {
    const min = controller({ maxReplicas: 30, targetUtilizationPercent: 50, requestCores: 1, policies: { scaleUp: { selectPolicy: 'Min' } } });
    expect(at(min, 0, demand(1)).desiredReplicas).toBe(2);
    const off = controller({ maxReplicas: 30, targetUtilizationPercent: 50, requestCores: 1, policies: { scaleUp: { selectPolicy: 'Disabled' } } });
    const step = at(off, 0, demand(1));
    expect(step).toMatchObject({ recommendation: 20, desiredReplicas: 1, rescaled: false });
    expect(step.conditions.ScalingLimited).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
  });

  it('counts scale-downs from the start of each policy period', () => {
    // At most 1 pod per 60 s (the docs' "limit scale down rate" pattern), no stabilization window.
    const hpa = controller({
      maxReplicas: 10,
      targetUtilizationPercent: 50,
      scaleDownStabilizationSeconds: 0,
      policies: { scaleDown: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
    });
    const first = at(hpa, 0, { currentReplicas: 10, utilizationPercent: 20 });
    expect(first.desiredReplicas).toBe(9);
    expect(first.conditions.ScalingLimited).toMatchObject({ status: 'True', reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' });
    expect(at(hpa, 45, { currentReplicas: 9, utilizationPercent: 20 })).toMatchObject({ desiredReplicas: 9, rescaled: false });
    expect(at(hpa, 60, { currentReplicas: 9, utilizationPercent: 20 }).desiredReplicas).toBe(8);
  });

  it('rounds a Percent scale-up limit up in floating point, as the controller does: 10% of 100 adds 11', () => {
    // horizontal.go: math.Ceil(float64(periodStartReplicas) * (1 + float64(policy.Value)/100)), and
    // 100 × 1.1 is 110.00000000000001 in float64: the limit is 111, one more than the docs' "10%".
    const hpa = controller({ maxReplicas: 500, targetUtilizationPercent: 50, policies: { scaleUp: { policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] } } });
    expect(at(hpa, 0, { currentReplicas: 100, utilizationPercent: 100 }).desiredReplicas).toBe(111);
  });
});

// --- conditions, object, events --------------------------------------------------------------------

describe('conditions', () => {
  it('are set as the controller sets them, with the transition time moving only on a status change', () => {
    const hpa = controller({ maxReplicas: 4, targetUtilizationPercent: 50 });
    const first = at(hpa, 0, { currentReplicas: 2, utilizationPercent: 50 });
    expect(first.conditions).toEqual({
      AbleToScale: { type: 'AbleToScale', status: 'True', lastTransitionMs: T0, reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
      ScalingActive: {
        type: 'ScalingActive',
        status: 'True',
        lastTransitionMs: T0,
        reason: 'ValidMetricFound',
        message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
      },
      ScalingLimited: { type: 'ScalingLimited', status: 'False', lastTransitionMs: T0, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' },
    });
    // 2 → 4 at 15 s, capped by maxReplicas (8 asked): ScalingLimited turns True then, and stays.
    expect(at(hpa, 15, { currentReplicas: 2, utilizationPercent: 200 }).conditions.ScalingLimited).toMatchObject({ status: 'True', reason: 'TooManyReplicas', lastTransitionMs: T0 + 15 * S });
    const limited = at(hpa, 30, { currentReplicas: 4, utilizationPercent: 200 });
    expect(limited.conditions.ScalingLimited).toMatchObject({ status: 'True', reason: 'TooManyReplicas', lastTransitionMs: T0 + 15 * S });
    // AbleToScale went SucceededRescale and back to ReadyForNewScale, True throughout.
    expect(limited.conditions.AbleToScale).toMatchObject({ reason: 'ReadyForNewScale', lastTransitionMs: T0 });
  });

  it('before the metric is read, have only AbleToScale', () => {
    const step = at(controller({ minReplicas: 2, maxReplicas: 4, targetUtilizationPercent: 50 }), 0, { currentReplicas: 1, utilizationPercent: 0 });
    expect(Object.keys(step.conditions)).toEqual(['AbleToScale']);
    expect(step.conditions.AbleToScale).toMatchObject({ reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 2' });
  });

  it('reproduce the status captured on EKS 1.25 (formats.md §2.4), which only an HPA without spec.behavior gives', () => {
    // Captured: AbleToScale ScaleDownStabilized, ScalingActive ValidMetricFound, ScalingLimited
    // TooManyReplicas, averageUtilization 150, averageValue 301m, currentReplicas 2, desiredReplicas 2.
    // Two pods at 301m of a 200m request (602/400: 150%, mean 301m), max 2, target 100%; a minute
    // earlier they ran at 250% and asked for 5, which the window still holds.
    const observe = (cores: number): HpaObservation => ({ currentReplicas: 2, podCpuCores: [cores, cores] });
    const options = { minReplicas: 1, maxReplicas: 2, targetUtilizationPercent: 100, requestCores: 0.2 } as const;
    const legacy = controller({ ...options, legacyNormalization: true });
    at(legacy, 0, observe(0.5));
    const step = at(legacy, 60, observe(0.301));
    expect([step.conditions.AbleToScale.reason, step.conditions.ScalingActive?.reason, step.conditions.ScalingLimited?.reason]).toEqual(['ScaleDownStabilized', 'ValidMetricFound', 'TooManyReplicas']);
    expect(hpaObject(legacy, { name: 'web' }).status).toMatchObject({
      currentReplicas: 2,
      desiredReplicas: 2,
      currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '301m', averageUtilization: 150 } } }],
    });
    expect(hpaObject(legacy, { name: 'web' }).status.conditions?.map((c) => c.message)).toEqual([
      'recent recommendations were higher than current one, applying the highest recent recommendation',
      'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
      'the desired replica count is more than the maximum replica count',
    ]);
    // With spec.behavior the scale-down window does not cap a scale-up proposal: ReadyForNewScale.
    const current = controller(options);
    at(current, 0, observe(0.5));
    expect(at(current, 60, observe(0.301)).conditions.AbleToScale.reason).toBe('ReadyForNewScale');
  });
});

describe('hpaObject', () => {
  it('renders the autoscaling/v2 object kubectl get hpa -o json shows', () => {
    const hpa = controller({ minReplicas: 2, maxReplicas: 10, targetUtilizationPercent: 60, requestCores: 0.5 });
    at(hpa, 0, { currentReplicas: 2, podCpuCores: [0.45, 0.45] });
    at(hpa, 15, { currentReplicas: 3, podCpuCores: [0.3, 0.3, 0.3] });
    expect(hpaObject(hpa, { name: 'web', namespace: 'shop' })).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 2,
        maxReplicas: 10,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }],
        behavior: {
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [
              { type: 'Pods', value: 4, periodSeconds: 15 },
              { type: 'Percent', value: 100, periodSeconds: 15 },
            ],
          },
          scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
        },
      },
      status: {
        lastScaleTime: '2023-11-14T22:13:20Z',
        currentReplicas: 3,
        desiredReplicas: 3,
        currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '300m', averageUtilization: 60 } } }],
        conditions: [
          { type: 'AbleToScale', status: 'True', lastTransitionTime: '2023-11-14T22:13:20Z', reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
          {
            type: 'ScalingActive',
            status: 'True',
            lastTransitionTime: '2023-11-14T22:13:20Z',
            reason: 'ValidMetricFound',
            message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)',
          },
          { type: 'ScalingLimited', status: 'False', lastTransitionTime: '2023-11-14T22:13:20Z', reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' },
        ],
      },
    });
  });

  it('has no spec.behavior for an HPA without one, and a new HPA’s zero status', () => {
    const object = hpaObject(controller({ maxReplicas: 5, targetUtilizationPercent: 80, legacyNormalization: true }), { name: 'api', target: { kind: 'StatefulSet', name: 'db' } });
    expect(object.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }],
    });
    // Go's zero value, as the API server returns it: currentReplicas omitted (omitempty), currentMetrics null.
    expect(object.status).toEqual({ desiredReplicas: 0, currentMetrics: null });
  });

  it('validates against the API server’s autoscaling/v2 schema (Kubernetes 1.27 and 1.37, strict)', () => {
    const hpa = controller({ maxReplicas: 10, targetUtilizationPercent: 50, requestCores: 1 });
    const objects = [hpaObject(hpa, { name: 'web' })];
    at(hpa, 0, { currentReplicas: 1, podCpuCores: [2.5] });
    objects.push(hpaObject(hpa, { name: 'web', namespace: 'shop' }));
    at(hpa, 15, { currentReplicas: 0, utilizationPercent: 0 });
    objects.push(hpaObject(hpa, { name: 'web' }));
    const legacy = controller({ maxReplicas: 3, targetUtilizationPercent: 50, legacyNormalization: true });
    at(legacy, 0, { currentReplicas: 2, utilizationPercent: 70 });
    objects.push(hpaObject(legacy, { name: 'api' }));
    for (const version of ['v1.27.0', 'v1.37.0']) {
      const validate = hpaValidator(version);
      for (const object of objects) expect(validate(object) ? [] : (validate.errors ?? []).map(problem), `${object.metadata.name} on ${version}`).toEqual([]);
    }
  });

  it('reads back with the snapshot parser (analysis/snapshots/hpa.ts)', () => {
    const hpa = controller({ minReplicas: 1, maxReplicas: 8, targetUtilizationPercent: 50, requestCores: 0.25 });
    at(hpa, 0, { currentReplicas: 2, podCpuCores: [0.25, 0.25] });
    const { records, problems } = parseHpaJson(JSON.stringify(hpaObject(hpa, { name: 'web', namespace: 'shop' }), null, 4));
    expect(problems).toEqual([]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      namespace: 'shop',
      name: 'web',
      reference: 'Deployment/web',
      minReplicas: 1,
      maxReplicas: 8,
      currentReplicas: 2,
      desiredReplicas: 4,
      lastScaleTimeMs: T0,
      metrics: [{ name: 'cpu', currentValue: 100, targetValue: 50, unit: 'percent' }],
    });
  });
});

describe('rescale events', () => {
  it('carry the controller’s message, New size: %d; reason: %s', () => {
    expect(rescaleMessage(3, RESCALE_REASONS.below)).toBe('New size: 3; reason: All metrics below target');
    expect(rescaleMessage(2, RESCALE_REASONS.above)).toBe('New size: 2; reason: cpu resource utilization (percentage of request) above target');
    expect(Object.values(RESCALE_REASONS)).toEqual([
      'cpu resource utilization (percentage of request) above target',
      'All metrics below target',
      'Current number of replicas above Spec.MaxReplicas',
      'Current number of replicas below Spec.MinReplicas',
    ]);
  });

  it('are the lines formats.md §4.2 captured: up, then down after the window', () => {
    const hpa = controller({ maxReplicas: 4, targetUtilizationPercent: 50 });
    expect(at(hpa, 0, { currentReplicas: 1, utilizationPercent: 90 }).event?.message).toBe('New size: 2; reason: cpu resource utilization (percentage of request) above target');
    expect(at(hpa, 15, { currentReplicas: 2, utilizationPercent: 100 }).event?.message).toBe('New size: 4; reason: cpu resource utilization (percentage of request) above target');
    for (let s = 30; s <= 300; s += 15) expect(at(hpa, s, { currentReplicas: 4, utilizationPercent: 30 }).event).toBeNull();
    expect(at(hpa, 315, { currentReplicas: 4, utilizationPercent: 30 }).event?.message).toBe('New size: 3; reason: All metrics below target');
  });
});

// --- state and input -------------------------------------------------------------------------------

describe('HpaController', () => {
  it('keeps the recommendations, reusing the slot of one older than both windows', () => {
    const hpa = controller({ maxReplicas: 10, targetUtilizationPercent: 50, scaleDownStabilizationSeconds: 30 });
    at(hpa, 0, { currentReplicas: 4, utilizationPercent: 50 });
    expect(hpa.history).toEqual([
      { replicas: 4, timeMs: T0 },
      { replicas: 4, timeMs: T0 },
    ]);
    at(hpa, 60, { currentReplicas: 4, utilizationPercent: 100 });
    // Both earlier records are older than 30 s: the last of them is overwritten, none appended.
    expect(hpa.history).toEqual([
      { replicas: 4, timeMs: T0 },
      { replicas: 8, timeMs: T0 + 60 * S },
    ]);
  });

  it('does not mutate its options or observations (frozen above)', () => {
    const policies = Object.freeze([Object.freeze({ type: 'Pods' as const, value: 2, periodSeconds: 30 })]);
    const hpa = new HpaController(Object.freeze({ maxReplicas: 10, targetUtilizationPercent: 50, requestCores: 1, policies: Object.freeze({ scaleUp: Object.freeze({ policies }) }) }));
    const pods = Object.freeze([1, 1]);
    expect(hpa.step(T0, Object.freeze({ currentReplicas: 2, podCpuCores: pods })).desiredReplicas).toBe(4);
    expect(pods).toEqual([1, 1]);
  });

  // toThrowError(instance) checks the class, the whole message and the note.
  const ZERO_NOTE = 'minReplicas 0 needs the HPAScaleToZero feature gate and an object or external metric; a CPU target cannot scale to zero';
  it.each([
    ['maxReplicas below minReplicas', { minReplicas: 3, maxReplicas: 2, targetUtilizationPercent: 50 }, 'hpa: maxReplicas `2` is out of range: expected an integer from 3 to 2147483647'],
    ['minReplicas 0', { minReplicas: 0, maxReplicas: 2, targetUtilizationPercent: 50 }, 'hpa: minReplicas `0` is out of range: expected an integer from 1 to 2147483647', ZERO_NOTE],
    ['target 0', { maxReplicas: 2, targetUtilizationPercent: 0 }, 'hpa: targetUtilizationPercent `0` is out of range: expected an integer from 1 to 2147483647'],
    ['target 50.5', { maxReplicas: 2, targetUtilizationPercent: 50.5 }, 'hpa: targetUtilizationPercent `50.5` is out of range: expected an integer from 1 to 2147483647'],
    ['negative tolerance', { maxReplicas: 2, targetUtilizationPercent: 50, tolerance: -0.1 }, 'hpa: tolerance `-0.1` is out of range: expected a number ≥ 0 (0.1 is 10%)'],
    ['window over an hour', { maxReplicas: 2, targetUtilizationPercent: 50, scaleDownStabilizationSeconds: 3601 }, 'hpa: scaleDownStabilizationSeconds `3601` is out of range: expected an integer from 0 to 3600'],
    [
      'no policies',
      { maxReplicas: 2, targetUtilizationPercent: 50, policies: { scaleDown: { policies: [] } } },
      'hpa: scaleDown.policies is empty: expected at least one policy',
      'to stop scaling in that direction, set selectPolicy `Disabled`',
    ],
    ['unknown selectPolicy', { maxReplicas: 2, targetUtilizationPercent: 50, policies: { scaleUp: { selectPolicy: 'Fastest' } } }, 'hpa: scaleUp.selectPolicy `Fastest` is not known: expected `Max`, `Min` or `Disabled`'],
    [
      'period over 30 min',
      { maxReplicas: 2, targetUtilizationPercent: 50, policies: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 1801 }] } } },
      'hpa: scaleUp.policies[0].periodSeconds `1801` is out of range: expected an integer from 1 to 1800',
    ],
    ['request below 1m', { maxReplicas: 2, targetUtilizationPercent: 50, requestCores: 0 }, 'hpa: requestCores `0` is out of range: expected a CPU request of at least 0.001 cores (1m)'],
  ] as [string, unknown, string, string?][])('refuses %s', (_name, options, message, note) => {
    expect(() => new HpaController(options as HpaControllerOptions)).toThrowError(new CliError(message, note === undefined ? {} : { note }));
  });

  it.each([
    ['time going back', [T0, T0 - 1], { currentReplicas: 1, utilizationPercent: 50 }, `hpa: time \`${T0 - 1}\` is before the previous sync at \`${T0}\`: expected syncs in time order`],
    ['negative replicas', [T0], { currentReplicas: -1, utilizationPercent: 50 }, 'hpa: currentReplicas `-1` is out of range: expected an integer ≥ 0'],
    ['NaN utilization', [T0], { currentReplicas: 1, utilizationPercent: Number.NaN }, 'hpa: utilizationPercent `NaN` is out of range: expected a percentage ≥ 0'],
    ['negative usage', [T0], { currentReplicas: 2, podCpuCores: [0.1, -0.1] }, 'hpa: podCpuCores[1] is `-0.1`: expected a CPU usage in cores ≥ 0'],
    [
      'no pod reporting',
      [T0],
      { currentReplicas: 2, podCpuCores: [] },
      'hpa: podCpuCores is empty: expected the usage of at least one pod',
      'the controller computes nothing without a metric (FailedGetResourceMetric)',
    ],
  ] as [string, number[], unknown, string, string?][])('refuses a sync with %s', (_name, times, observation, message, note) => {
    const hpa = new HpaController({ maxReplicas: 4, targetUtilizationPercent: 50, requestCores: 1 });
    const last = times.pop() as number;
    for (const t of times) hpa.step(t, { currentReplicas: 1, utilizationPercent: 50 });
    expect(() => hpa.step(last, observation as HpaObservation)).toThrowError(new CliError(message, note === undefined ? {} : { note }));
  });

  it('needs the pods’ request for per-pod usages', () => {
    const hpa = new HpaController({ maxReplicas: 2, targetUtilizationPercent: 50 });
    expect(() => hpa.step(T0, { currentReplicas: 1, podCpuCores: [0.1] })).toThrowError(
      new CliError("hpa: per-pod CPU usages need the pods' request: expected `requestCores` in the controller's options", { note: "pass the target's `resources.cores`, or give `utilizationPercent` instead" }),
    );
  });
});

// --- the API server's schema -------------------------------------------------------------------------

// As test/scripts/k8s.test.ts: Kubernetes' OpenAPI definitions as strict JSON Schema (every object
// refuses fields it does not list), from kubernetes-validate; test/fixtures/k8s-schemas/README.md.
const DEFINITIONS = 'https://kubernetes.io/api/_definitions.json';
const KUBERNETES_ANNOTATIONS = [
  'x-kubernetes-group-version-kind',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-patch-merge-key',
  'x-kubernetes-patch-strategy',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-unions',
];

function hpaValidator(version: string): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
  addFormats.default(ajv, ['int32', 'int64', 'double', 'byte', 'date-time']);
  ajv.addVocabulary(KUBERNETES_ANNOTATIONS);
  const file = path.join(repoRoot, 'test', 'fixtures', 'k8s-schemas', `kubernetes-${version}-strict-definitions.json.gz`);
  ajv.addSchema(JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as object);
  return ajv.compile({ $ref: `${DEFINITIONS}#/$defs/io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler` });
}

function problem(error: ErrorObject): string {
  const where = error.instancePath === '' ? '/' : error.instancePath;
  if (error.keyword === 'additionalProperties') return `${where}: unknown field \`${String(error.params.additionalProperty)}\``;
  return `${where}: ${error.message ?? error.keyword}`;
}
