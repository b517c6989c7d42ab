import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { DEFAULT_AGENT_IMAGE, defaultSettings } from "../../webhook/settings.ts";

const CHART = resolve(import.meta.dirname, "../../deploy/chart/vaultlet");

/** The image the chart hands the webhook (its vaultlet.agentImage helper: repository:tag, tag defaulting to appVersion). */
function chartAgentImage(): string {
  const values = parse(readFileSync(resolve(CHART, "values.yaml"), "utf8")) as {
    agentImage: { repository: string; tag?: string };
  };
  const chart = parse(readFileSync(resolve(CHART, "Chart.yaml"), "utf8")) as {
    appVersion: string;
  };
  return `${values.agentImage.repository}:${values.agentImage.tag || String(chart.appVersion)}`;
}

test("the webhook's default agent image is the chart's default agent image, exactly", () => {
  assert.equal(DEFAULT_AGENT_IMAGE, chartAgentImage());
  assert.equal(defaultSettings().agentImage, chartAgentImage());
});
