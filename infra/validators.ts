import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  CloudFormationValidatePlugin,
  Validations,
  type App,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  type Stack,
} from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { validationPluginRef } from './upcast.js';

/**
 * AWS's own checks of the synthesized template, beside cdk-nag (./nag.ts), offline and on every synth:
 *
 * - **CloudFormation Validate** (`@aws/cloudformation-validate`, the engine aws-cdk-lib ships): cfn-lint's rules
 *   and the CloudFormation resource schemas — unknown properties, wrong types, out-of-range values, bad
 *   references and attributes.
 * - **Control Tower proactive controls** (`@cdklabs/cdk-validator-cfnguard`): the `CT.*.PR.*` Guard rules, as
 *   Control Tower's CloudFormation hook would apply them at deploy time.
 *
 * Findings fail synthesis (errors always; warnings too, through `@aws-cdk/core:strictCfnValidateErrors`,
 * which ./nag.ts sets) unless {@link TEMPLATE_FINDING_ACKNOWLEDGEMENTS} accepts them with a reason.
 */

/** The Control Tower plugin's name, which is also the namespace of its rule ids: `cdk-validator-cfnguard::<rule>`. */
export const CONTROL_TOWER = 'cdk-validator-cfnguard';
/** The namespace of CloudFormation Validate's rule ids (cfn-lint's), e.g. `CloudFormation-Validate::W3005`. */
export const CLOUDFORMATION_VALIDATE = CloudFormationValidatePlugin.PLUGIN_NAME.replaceAll(' ', '-');

/** A validator finding accepted on purpose. */
export interface TemplateFindingAcknowledgement {
  /** `<namespace>::<rule>`, the rule as the validation report names it. */
  readonly id: string;
  /** The constructs whose finding is accepted, as construct paths below the stack. */
  readonly at: readonly string[];
  /** Why the finding is accepted for this product. */
  readonly reason: string;
}

const BUCKETS = ['Buckets/Data', 'Buckets/AthenaResults', 'Buckets/AccessLogs'];

/**
 * Every accepted validator finding, in one place. An acknowledgement applies to the construct at each path and
 * everything below it; a construct that a configuration does not create (an imported data bucket) is skipped.
 * Anything not listed fails synthesis.
 */
export const TEMPLATE_FINDING_ACKNOWLEDGEMENTS: readonly TemplateFindingAcknowledgement[] = Object.freeze([
  {
    id: `${CONTROL_TOWER}::s3_bucket_default_encryption_kms_check`,
    at: BUCKETS,
    reason:
      'CT.S3.PR.10 (SSE-KMS): the buckets use SSE-S3, so that every Athena user of the table needs no grant on ' +
      'a key; access is controlled by IAM and the TLS-only bucket policies. The access-log bucket cannot use ' +
      'SSE-KMS at all: S3 delivers server access logs only to SSE-S3 buckets.',
  },
  {
    id: `${CONTROL_TOWER}::s3_bucket_object_lock_enabled_check`,
    at: BUCKETS,
    reason:
      'CT.S3.PR.9 (Object Lock): re-exporting a day must replace its partition and delete the stale objects, ' +
      'old versions expire after 30 days, and the tables hold personal data that must stay erasable on request ' +
      '(KVKK/GDPR); locked objects could be neither. No retention rule applies to logs or query results.',
  },
  {
    id: `${CONTROL_TOWER}::s3_event_notifications_enabled_check`,
    at: BUCKETS,
    reason:
      'CT.S3.PR.4 (event notifications): nothing consumes object events; Athena finds partitions by projection ' +
      'and the exporter reports each day through its logs, metrics and alarms.',
  },
  {
    id: `${CONTROL_TOWER}::s3_bucket_versioning_enabled_check`,
    at: ['Buckets/AthenaResults', 'Buckets/AccessLogs'],
    reason:
      'CT.S3.PR.11 (versioning): query results are re-creatable and expire after 30 days, access logs are ' +
      'written once by S3 and expire after a year; old versions would only keep expired objects. The data ' +
      'bucket is versioned.',
  },
  {
    id: `${CONTROL_TOWER}::s3_bucket_logging_enabled_check`,
    at: ['Buckets/AccessLogs'],
    reason: 'CT.S3.PR.2 (access logging): this is the access-log target bucket; logging it into itself would recurse.',
  },
  {
    id: `${CONTROL_TOWER}::athena_workgroup_results_encrypted_at_rest_kms_check`,
    at: ['Catalog/WorkGroup'],
    reason:
      'CT.ATHENA.PR.2 (results with KMS): results are encrypted with SSE-S3 like the table they come from and ' +
      'expire after 30 days; a KMS key would need a grant for every analyst and adds nothing against the IAM ' +
      'control on the results bucket.',
  },
  {
    id: `${CONTROL_TOWER}::lambda_inside_vpc_check`,
    at: ['Export/Function', 'Backfill/Planner'],
    reason:
      'CT.LAMBDA.PR.3 (VPC): the function reaches only the Diyalog API over HTTPS, S3 and Secrets Manager, and no ' +
      'private resource; in a VPC it would need a NAT gateway or endpoints for one run a night. If Diyalog is ' +
      'reachable only from the corporate network, put the function in that VPC. The backfill planner reaches ' +
      'nothing at all: it only computes dates.',
  },
  {
    id: `${CONTROL_TOWER}::cloudwatch_log_group_retention_period_check`,
    at: ['Export/Logs', 'Backfill/Logs', 'Backfill/PlannerLogs'],
    reason:
      'CT.CLOUDWATCH.PR.2 (a year of logs): the lasting record of every run is its manifest in the bucket ' +
      '(_runs/), kept with the data; the logs serve operations, and three months cover any investigation of a ' +
      'nightly job or a backfill without keeping error text from the API longer than needed.',
  },
  {
    id: `${CONTROL_TOWER}::cloudwatch_log_group_encrypted_check`,
    at: ['Export/Logs', 'Backfill/Logs', 'Backfill/PlannerLogs'],
    reason:
      'CT.CLOUDWATCH.PR.3 (logs with KMS): CloudWatch Logs encrypts at rest with its own keys; the logs hold no ' +
      'secrets or personal data (test/reliability/secret-canary.test.ts checks every output), and the ' +
      "backfill's hold days, counts and error names.",
  },
  {
    id: `${CONTROL_TOWER}::step_functions_state_machine_tracing_enabled_check`,
    at: ['Backfill/StateMachine'],
    reason:
      'CT.STEPFUNCTIONS.PR.2 (X-Ray): off unless the backfillTracing context asks for it; the execution history ' +
      'shows every state, input, output, error and duration, the state machine logs every event, and the export ' +
      'function logs each day.',
  },
  {
    id: `${CONTROL_TOWER}::sqs_dlq_check`,
    at: ['Export/FailureQueue', 'Nightly/DeadLetterQueue'],
    reason:
      'CT.SQS.PR.1 (a dead-letter queue): these queues are the dead-letter queues (the function’s failure ' +
      'destination and the schedule’s); messages stay 14 days, an alarm fires on the first one, and nothing ' +
      'consumes them but an operator.',
  },
]);

/**
 * Adds CloudFormation Validate and the Control Tower controls as validation plugins of `app`. Call it before the
 * app has children, and {@link acknowledgeTemplateFindings} on each stack.
 */
export function enableTemplateValidators(app: App): void {
  Validations.of(app).addPlugins(validationPluginRef(cloudFormationValidate()), new ControlTowerControls());
}

/** Records {@link TEMPLATE_FINDING_ACKNOWLEDGEMENTS} on the constructs of `stack`. */
export function acknowledgeTemplateFindings(stack: Stack): void {
  for (const { id, at, reason } of TEMPLATE_FINDING_ACKNOWLEDGEMENTS) {
    for (const path of at) {
      const scope = path
        .split('/')
        .reduce<IConstruct | undefined>((node, child) => node?.node.tryFindChild(child), stack);
      if (scope !== undefined) Validations.of(scope).acknowledge({ id, reason });
    }
  }
}

let sharedCloudFormationValidate: CloudFormationValidatePlugin | undefined;

/**
 * One CloudFormation Validate plugin for every app in the process: its engine takes seconds to start and is
 * reused while the templates use no new resource types. Registered explicitly, it also runs where CDK's
 * built-in instance is off (`builtinCloudFormationValidation: false`, `CDK_VALIDATION=false`).
 */
function cloudFormationValidate(): CloudFormationValidatePlugin {
  sharedCloudFormationValidate ??= new CloudFormationValidatePlugin();
  return sharedCloudFormationValidate;
}

const CFN_GUARD_PACKAGE = createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json');
/** The bundled Control Tower rules: one `.guard` file per control, in a folder per service. */
const CONTROL_TOWER_RULES = join(dirname(CFN_GUARD_PACKAGE), 'rules/control-tower/cfn-guard');

/** A control's rule file name (what `disabledRules` takes) and the resource types it reports on. */
interface Control {
  readonly name: string;
  readonly resourceTypes: readonly string[];
}

let controls: readonly Control[] | undefined;

function controlTowerControls(): readonly Control[] {
  controls ??= readdirSync(CONTROL_TOWER_RULES, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.guard'))
    .map((file) => ({
      name: basename(file, '.guard'),
      resourceTypes: [...readFileSync(join(CONTROL_TOWER_RULES, file), 'utf8').matchAll(/AWS::\w+::\w+/g)].map(
        ([type]) => type,
      ),
    }));
  return controls;
}

/**
 * The Control Tower controls through `CfnGuardValidator`, given only the controls that name a resource type the
 * templates contain (or name none). A control selects resources by their type, so the others cannot find
 * anything; skipping them cuts a cfn-guard run from ~10 s to ~1 s.
 */
class ControlTowerControls implements IPolicyValidationPlugin {
  readonly name = CONTROL_TOWER;
  readonly version = String((JSON.parse(readFileSync(CFN_GUARD_PACKAGE, 'utf8')) as { version: unknown }).version);

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const present = new Set(context.templatePaths.flatMap(resourceTypesOf));
    const all = controlTowerControls();
    const disabledRules = all
      .filter((control) => control.resourceTypes.length > 0 && !control.resourceTypes.some((t) => present.has(t)))
      .map((control) => control.name);
    if (disabledRules.length === all.length) return { success: true, violations: [] };
    const report = new CfnGuardValidator({ disabledRules }).validate(context);
    // The plugin leaves the severity unset. CDK recomputes a report's success from its violations' severities
    // after removing acknowledged ones, so without it an unacknowledged violation would pass as soon as another
    // one of the same report was acknowledged.
    return { ...report, violations: report.violations.map((violation) => ({ ...violation, severity: 'error' })) };
  }
}

function resourceTypesOf(templatePath: string): string[] {
  const template = JSON.parse(readFileSync(templatePath, 'utf8')) as { Resources?: Record<string, { Type?: unknown }> };
  return Object.values(template.Resources ?? {}).flatMap(({ Type }) => (typeof Type === 'string' ? [Type] : []));
}
