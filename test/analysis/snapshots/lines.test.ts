import { describe, expect, it } from 'vitest';
import { commandArgs, commandHints, goDurationMs, humanDuration, isShellMessage, kubectlAgeMs, kubectlAgeRange, legacyHumanDuration, noise, percent, splitLines, tokenize, withoutProgram } from '../../../analysis/snapshots/lines.ts';
import { parseJsonLenient } from '../../../analysis/snapshots/json.ts';

describe('noise', () => {
  it.each([
    // --- echoed commands (prompts as found in formats.md captures)
    ['+ kubectl top pods -A', 'command', ['top', 'pods', '-A']],
    ['$ kubectl top nodes                     ', 'command', ['top', 'nodes']],
    ['# kubectl top nodes', 'command', ['top', 'nodes']],
    ['>>kubectl top pod -n kubeflow ', 'command', ['top', 'pod', '-n', 'kubeflow']],
    [' $ ./kubectl top pods --sum -A', 'command', ['top', 'pods', '--sum', '-A']],
    ['$kubectl get pods -o wide', 'command', ['get', 'pods', '-o', 'wide']],
    ['kubectl.exe get hpa', 'command', ['get', 'hpa']],
    ['kubectl -n kube-system top po', 'command', ['-n', 'kube-system', 'top', 'po']],
    ['$ kubectl top node --namespace=monitoring                                 [17:58:36]', 'command', ['top', 'node', '--namespace=monitoring']],
    ['➜  ~ minikube kubectl -- get --raw "/apis/metrics.k8s.io/v1beta1/pods" | jq \'.\'', 'command', ['get', '--raw', '"/apis/metrics.k8s.io/v1beta1/pods"']],
    ['microk8s enable metrics-server', 'command', ['enable', 'metrics-server']],
    // --- kubectl's own lines
    ['error: Metrics API not available', 'error', []],
    ['Error from server (NotFound): the server could not find the requested resource (get services http:heapster:)', 'error', []],
    ['W0416 17:58:15.174555    1159 top_pod.go:190] Metrics not available for pod monitoring/grafana-2017641066-rlq7c', 'klog', []],
    ['No resources found', 'empty', []],
    ['No resources found in default namespace.', 'empty', []],
    ['--- events ---', 'marker', []],
    ['...', 'marker', []],
    ['   ', 'blank', []],
  ])('`%s` is %s', (line, kind, args) => {
    expect(noise(line)).toEqual({ kind, args });
  });

  it.each([
    'kubectl-proxy-7d9f   3m   12Mi',
    // a namespace called kubectl: a row, not a command
    'kubectl   web-1   3m   12Mi',
    'default   web-1   3m   12Mi',
    'NAME   CPU(cores)   MEMORY(bytes)',
  ])('`%s` is a table line', (line) => {
    expect(noise(line)).toBeUndefined();
    expect(commandArgs(line)).toBeUndefined();
  });
});

describe('commands', () => {
  it.each([
    [['kubectl', 'top', 'pods', '-A'], ['top', 'pods', '-A']],
    [['/usr/local/bin/kubectl', 'get', 'hpa'], ['get', 'hpa']],
    [['minikube', 'kubectl', '--', 'get', 'pods'], ['get', 'pods']],
    [['top', 'pods'], ['top', 'pods']],
  ])('withoutProgram(%j)', (command, args) => {
    expect(withoutProgram(Object.freeze(command))).toEqual(args);
  });

  it.each([
    [['top', 'pods', '-A', '--containers'], { allNamespaces: true, containers: true, wide: false }],
    [['get', 'pods', '--all-namespaces', '-o', 'wide'], { allNamespaces: true, containers: false, wide: true }],
    [['get', 'events', '-owide'], { allNamespaces: false, containers: false, wide: true }],
  ])('commandHints(%j)', (args, hints) => {
    expect(commandHints(args)).toEqual(hints);
  });
});

describe('durations and cells', () => {
  // Go's time.ParseDuration units; the Metrics API `window`
  it.each([
    ['30s', 30_000],
    ['15.009s', 15_009],
    ['20.162s', 20_162],
    ['1m0s', 60_000],
    ['1h2m3.5s', 3_723_500],
    ['250ms', 250],
    ['1500us', 1.5],
    ['0', 0],
  ])('goDurationMs(%s) = %d', (text, ms) => {
    expect(goDurationMs(text)).toBe(ms);
  });

  it.each(['30', '', 's', '1d', '-1s'])('goDurationMs refuses `%s`', (text) => {
    expect(goDurationMs(text)).toBeUndefined();
  });

  // kubectl's HumanDuration (k8s.io/apimachinery pkg/util/duration)
  it.each([
    ['2s', 2_000],
    ['114s', 114_000],
    ['2m13s', 133_000],
    ['44m', 2_640_000],
    ['5h43m', 20_580_000],
    ['18d', 1_555_200_000],
    ['3y', 94_608_000_000],
  ])('kubectlAgeMs(%s) = %d', (text, ms) => {
    expect(kubectlAgeMs(text)).toBe(ms);
  });

  it.each(['<unknown>', '<invalid>', '', '5', '1.5m'])('kubectlAgeMs refuses `%s`', (text) => {
    expect(kubectlAgeMs(text)).toBeUndefined();
  });

  it.each([
    ['23%', 23],
    ['102%', 102],
    ['0%', 0],
    ['x%', undefined],
    ['23', undefined],
  ])('percent(%s)', (text, value) => {
    expect(percent(text)).toBe(value);
  });

  it('splits lines and tokens the way tabwriter output needs', () => {
    expect(splitLines('a\r\nb\n\nc\n')).toEqual(['a', 'b', '', 'c']);
    expect(tokenize('  web-1   5m\t10Mi   ')).toEqual([
      { text: 'web-1', start: 2, end: 7 },
      { text: '5m', start: 10, end: 12 },
      { text: '10Mi', start: 13, end: 17 },
    ]);
  });
});

describe('parseJsonLenient', () => {
  it('reads whole documents, several in a row, with their lines', () => {
    const parsed = parseJsonLenient('$ kubectl get --raw /apis/metrics.k8s.io/v1beta1/nodes\n{"a": [1, 2]}\n\n{\n  "b": {"c": null}\n}\n');
    expect(parsed.documents).toEqual([
      { value: { a: [1, 2] }, line: 2 },
      { value: { b: { c: null } }, line: 4 },
    ]);
    expect(parsed.errors).toEqual([]);
    expect(parsed.text).toEqual([]);
  });

  it('keeps the tree up to a cut and marks what was still open', () => {
    const parsed = parseJsonLenient('{"items": [{"n": 1}, {"n": 2, "m": [3, 4');
    const root = parsed.documents[0]?.value as { items: { n: number; m?: number[] }[] };
    expect(root).toEqual({ items: [{ n: 1 }, { n: 2, m: [3] }] });
    expect(parsed.errors).toEqual([{ line: 1, truncated: true, message: 'the text ends inside the JSON' }]);
    expect(parsed.incomplete.has(root)).toBe(true);
    expect(parsed.incomplete.has(root.items[0] as object)).toBe(false);
    expect(parsed.incomplete.has(root.items[1] as object)).toBe(true);
  });

  it.each([
    // a number or literal at the very end may have lost characters
    ['{"a": 12', {}],
    ['{"a": tr', {}],
    ['{"a": "x', {}],
  ])('drops a value cut at the end: %s', (input, expected) => {
    const parsed = parseJsonLenient(input);
    expect(parsed.documents[0]?.value).toEqual(expected);
    expect(parsed.errors[0]?.truncated).toBe(true);
  });

  it('reports a syntax error with its line and resumes on the next line', () => {
    const parsed = parseJsonLenient('{"a": 1,\n "b": x}\n{"c": 3}\n');
    expect(parsed.documents.map((d) => d.value)).toEqual([{ a: 1 }, { c: 3 }]);
    expect(parsed.errors).toEqual([{ line: 2, truncated: false, message: 'expected a JSON value, got `x}`' }]);
  });

  it('keeps `__proto__` as data, like JSON.parse, and lists stray text', () => {
    const parsed = parseJsonLenient('{"__proto__": {"polluted": true}}\nerror: Metrics API not available\n');
    const value = parsed.documents[0]?.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(parsed.text).toEqual([{ line: 2, text: 'error: Metrics API not available' }]);
  });
});

describe('kubectl ages', () => {
  // HumanDuration's branches (k8s.io/apimachinery pkg/util/duration/duration.go), at and around
  // each boundary: the value Go prints for that many milliseconds.
  it.each([
    [-2000, '<invalid>'],
    [-1500, '0s'],
    [999, '0s'],
    [95_000, '95s'],
    [119_999, '119s'],
    [120_000, '2m'],
    [128_000, '2m8s'],
    [599_999, '9m59s'],
    [600_000, '10m'],
    [659_999, '10m'],
    [10_799_999, '179m'],
    [10_800_000, '3h'],
    [20_580_000, '5h43m'],
    [28_800_000, '8h'],
    [172_799_999, '47h'],
    [172_800_000, '2d'],
    [190_800_000, '2d5h'],
    [691_200_000, '8d'],
    [1_555_200_000, '18d'],
    [730 * 86_400_000, '2y'],
    [(3 * 365 + 12) * 86_400_000, '3y12d'],
    [9 * 365 * 86_400_000, '9y'],
  ])('humanDuration(%d) = %s', (ms, printed) => {
    expect(humanDuration(ms)).toBe(printed);
  });

  // The one-unit printer of older kubectl's printers (`shortHumanDuration`)
  it.each([
    [45_000, '45s'],
    [60_000, '1m'],
    [2_760_000, '46m'],
    [3_600_000, '1h'],
    [86_400_000, '1d'],
    [400 * 86_400_000, '1y'],
  ])('legacyHumanDuration(%d) = %s', (ms, printed) => {
    expect(legacyHumanDuration(ms)).toBe(printed);
  });

  // [lowMs, highMs): what each printed age can stand for
  it.each([
    ['0s', {}, [-2000, 1000]],
    ['95s', {}, [95_000, 96_000]],
    // the format changes at 2 minutes, the step does not
    ['2m', {}, [120_000, 121_000]],
    ['2m8s', {}, [128_000, 129_000]],
    ['9m59s', {}, [599_000, 600_000]],
    // from 10 minutes, a minute at a time
    ['10m', {}, [600_000, 660_000]],
    ['46m', {}, [2_760_000, 2_820_000]],
    ['5h43m', {}, [20_580_000, 20_640_000]],
    ['3h', {}, [10_800_000, 10_860_000]],
    ['11h', {}, [39_600_000, 43_200_000]],
    ['2d5h', {}, [190_800_000, 194_400_000]],
    ['18d', {}, [1_555_200_000, 1_641_600_000]],
    ['3y', {}, [94_608_000_000, 94_694_400_000]],
    // HumanDuration cannot print these: older kubectl's one-unit ages
    ['1m', {}, [60_000, 120_000]],
    ['1h', {}, [3_600_000, 7_200_000]],
    // both print `5m`; in a log of older kubectl it is 5 to 6 minutes
    ['5m', {}, [300_000, 301_000]],
    ['5m', { legacy: true }, [300_000, 360_000]],
    // neither prints it: one unit of its last field
    ['1h30m', {}, [5_400_000, 5_460_000]],
  ])('kubectlAgeRange(%s, %j)', (text, options, [lowMs, highMs]) => {
    expect(kubectlAgeRange(text, options)).toEqual({ lowMs, highMs });
  });

  it.each(['<unknown>', '<invalid>', '', '5'])('kubectlAgeRange refuses `%s`', (text) => {
    expect(kubectlAgeRange(text)).toBeUndefined();
  });

  it.each([
    ['nohup: ignoring input', true],
    ["nohup: ignoring input and appending output to 'nohup.out'", true],
    ["nohup: appending output to 'nohup.out'", true],
    ['nohup kubectl get hpa -w', false],
    ['web   Deployment/web   45%/80%   1   10   3   5m', false],
  ])('isShellMessage(%s) = %s', (line, expected) => {
    expect(isShellMessage(line)).toBe(expected);
  });
});
