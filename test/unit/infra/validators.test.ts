import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  CLOUDFORMATION_VALIDATE,
  CONTROL_TOWER,
  TEMPLATE_FINDING_ACKNOWLEDGEMENTS,
} from '../../../infra/validators.js';
import { build } from './support.js';

/** The part of validation-report.json these tests read. */
interface ValidationReport {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly violations: readonly unknown[];
    readonly suppressedViolations?: readonly { acknowledgedId: string; acknowledgedAt: string; reason: string }[];
  }[];
}

/** Synthesizes with the template validators on, as `cdk synth` does, and returns the validation report. */
function validationReport(overrides: Record<string, unknown> = {}): ValidationReport {
  const { app } = build(overrides, { validators: true });
  const assembly = app.synth();
  return JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8')) as ValidationReport;
}

const VARIANTS: Record<string, Record<string, unknown>> = {
  'the cdk.json defaults': {},
  'a real endpoint': { apiEndpoint: 'https://diyalog.acme.com.tr' },
  'an imported bucket': { bucketName: 'acme-lake', prefix: 'raw/diyalog' },
  'a secret imported by name': { secretName: 'diyalog/api-keys' },
  'every optional setting': { alarmEmail: 'ops@acme.com.tr', signatureVariant: 'concat', concurrency: 8 },
  'the backfill traced, in chunks of a week': { backfillTracing: true, backfillChunkDays: 7 },
  'one report': { reports: 'calls' },
  'a policy that pseudonymizes, with the key’s secret': {
    personalData: 'pseudonymize,agent_id=keep,conversation_detail_link=drop',
  },
  'a pseudonym key imported by name': { personalData: 'pseudonymize', pseudonymKeySecretName: 'diyalog/pseudonym-key' },
};

// One file: the CloudFormation engine starts once per test file (seconds), then each synth takes about one.
describe('CloudFormation Validate and the Control Tower controls', () => {
  const reports = new Map<string, ValidationReport>();
  beforeAll(() => {
    for (const [name, overrides] of Object.entries(VARIANTS)) reports.set(name, validationReport(overrides));
  }, 120_000);

  test.each(Object.keys(VARIANTS))('%s: both run and leave no finding unacknowledged', (name) => {
    const report = reports.get(name);
    for (const plugin of report?.pluginReports ?? []) expect(plugin.violations, plugin.pluginName).toEqual([]);
    // The Control Tower plugin reports here because it has acknowledged findings; CloudFormation Validate has none.
    expect(report?.pluginReports.map((plugin) => plugin.pluginName)).toContain(CONTROL_TOWER);
  });

  test('every acknowledgement is used: it accepts a finding of the construct it names', () => {
    const used = new Set(
      [...reports.values()].flatMap((report) =>
        report.pluginReports.flatMap((plugin) =>
          (plugin.suppressedViolations ?? []).map((s) => `${s.acknowledgedId} @ ${s.acknowledgedAt}`),
        ),
      ),
    );
    const listed = TEMPLATE_FINDING_ACKNOWLEDGEMENTS.flatMap(({ id, at }) =>
      at.map((path) => `${id} @ DiyalogExport/${path}`),
    );
    expect([...used].sort()).toEqual([...listed].sort());
  });

  test('every acknowledgement names its control and says why', () => {
    for (const { id, reason } of TEMPLATE_FINDING_ACKNOWLEDGEMENTS) {
      expect(id).toMatch(new RegExp(`^(${CONTROL_TOWER}|${CLOUDFORMATION_VALIDATE})::\\w+$`));
      if (id.startsWith(CONTROL_TOWER)) expect(reason).toMatch(/^CT\.[A-Z0-9]+\.PR\.\d+ \(/);
      expect(reason.length).toBeGreaterThan(80);
    }
  });
});

describe('a finding fails synthesis', () => {
  test('a broken template property (CloudFormation Validate: resource schemas)', () => {
    const { app, stack } = build({}, { validators: true });
    const fn = stack.node.findAll().find((c): c is CfnFunction => c instanceof CfnFunction);
    fn?.addPropertyOverride('MemorySize', 'lots');
    expect(() => app.synth()).toThrow(/MemorySize: 'lots' is not of type 'integer'[\s\S]*CloudFormation-Validate::/);
  });

  test('an out-of-range value (CloudFormation Validate: cfn-lint rules)', () => {
    const { app, stack } = build({}, { validators: true });
    const fn = stack.node.findAll().find((c): c is CfnFunction => c instanceof CfnFunction);
    fn?.addPropertyOverride('Timeout', 3600);
    expect(() => app.synth()).toThrow(/Timeout: 3600 exceeds maximum 900/);
  });

  test('an unacknowledged Control Tower finding, even beside acknowledged ones of the same plugin', () => {
    const { app, stack } = build({}, { validators: true });
    // Kept a year (cdk-nag and CT.CLOUDWATCH.PR.2 are satisfied) but not encrypted with a KMS key: CT.CLOUDWATCH.PR.3.
    new LogGroup(stack, 'PlainLogs', { retention: RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    expect(() => app.synth()).toThrow(/CT\.CLOUDWATCH\.PR\.3[\s\S]*DiyalogExport\/PlainLogs/);
  });

  test('a Control Tower control on a resource type the stack did not have (no control is skipped that applies)', () => {
    const { app, stack } = build({}, { validators: true });
    new CfnTable(stack, 'Table', {
      keySchema: [{ attributeName: 'id', keyType: 'HASH' }],
      attributeDefinitions: [{ attributeName: 'id', attributeType: 'S' }],
      billingMode: 'PAY_PER_REQUEST',
    });
    expect(() => app.synth()).toThrow(/\[CT\.DYNAMODB\.PR\.\d+\][\s\S]*DiyalogExport\/Table/);
  });
});
