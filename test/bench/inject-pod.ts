/**
 * In-process cost of one admission (not a test): `injectPod` alone, and the
 * whole pure path the server runs per request (JSON.parse of the body,
 * reviewAdmission with the patch base64-encoded, JSON.stringify of the
 * answer), for the webhook benchmark's pod (4 containers, 10 annotations).
 *
 *   node test/bench/inject-pod.ts              # 20,000 iterations, 5 rounds
 *   BENCH_ITERATIONS=50000 node test/bench/inject-pod.ts
 *
 * Each figure is the median over the rounds, after a warm-up round.
 */
import { fileURLToPath } from "node:url";
import { injectPod } from "../../webhook/mutate/inject.ts";
import { parseReviewBody, reviewAdmission } from "../../webhook/server/admission.ts";
import { defaultSettings, type InjectorSettings } from "../../webhook/settings.ts";
import { admissionReview } from "../webhook/server/reviews.ts";
import { median } from "./proc-stats.ts";
import { benchPod } from "./webhook.ts";

export interface InjectPodBenchOptions {
  readonly iterations?: number;
  readonly rounds?: number;
}

export interface InjectPodBenchRow {
  readonly name: string;
  /** Median microseconds per call. */
  readonly microsPerOp: number;
  readonly opsPerSec: number;
}

export function runInjectPodBench(options: InjectPodBenchOptions = {}): InjectPodBenchRow[] {
  const iterations = options.iterations ?? 20_000;
  const rounds = options.rounds ?? 5;
  const settings: InjectorSettings = {
    ...defaultSettings(),
    vaultAddress: "https://vault.vault.svc:8200",
  };
  const pod = benchPod();
  const raw = Buffer.from(JSON.stringify(admissionReview({ object: pod })));
  const cases: Array<[string, () => unknown]> = [
    ["injectPod", () => injectPod(pod, "app", settings)],
    [
      "admission (parse, inject, encode)",
      () => {
        const parsed = parseReviewBody(raw);
        if (!parsed.ok) throw new Error(parsed.message);
        return JSON.stringify(reviewAdmission(parsed.value, injectPod, settings).body);
      },
    ],
  ];
  const first = injectPod(pod, "app", settings);
  if (first.kind !== "patch") throw new Error(`the benchmark pod is not injected: ${first.kind}`);
  return cases.map(([name, fn]) => {
    const timings: number[] = [];
    for (let round = 0; round <= rounds; round++) {
      const start = performance.now();
      for (let i = 0; i < iterations; i++) fn();
      const micros = ((performance.now() - start) * 1000) / iterations;
      if (round > 0) timings.push(micros);
    }
    const micros = median(timings);
    return { name, microsPerOp: micros, opsPerSec: 1e6 / micros };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = runInjectPodBench({
    iterations: Number(process.env["BENCH_ITERATIONS"] ?? 20_000),
    rounds: Number(process.env["BENCH_ROUNDS"] ?? 5),
  });
  console.log(`node ${process.version}, pod: 4 containers, 10 vault.hashicorp.com annotations\n`);
  console.log("| case | µs per call | calls/s |");
  console.log("|---|---:|---:|");
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.microsPerOp.toFixed(1)} | ${r.opsPerSec.toFixed(0)} |`);
  }
}
