import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PREFLIGHT_FOLDER, REJECTS_FOLDER, RUNS_FOLDER, tableFolder } from '../../functions/contract/layout.js';
import type { PersonalDataPolicy } from '../../functions/contract/personal-data.js';
import type { ReportDefinition } from '../../functions/contract/reports.js';
import { EXPORT_ENV } from '../../functions/contract/settings.js';
import { ESM_BANNER } from '../esm-banner.js';
import { acknowledgeWildcardResource } from '../nag.js';
import { secretIdOf } from './credentials-secret.js';
import { DeadLetterQueue } from './dead-letter-queue.js';
import type { ExportSettings } from '../settings.js';

/** The repository root: the bundler's project root, where package-lock.json lives. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The Lambda entry; it exports `handler`. */
const HANDLER_ENTRY = fileURLToPath(new URL('../../functions/export/handler.ts', import.meta.url));

/** Packages the asset ships in its own node_modules rather than inlined in index.mjs (see the bundling). */
export const ASSET_NODE_MODULES = Object.freeze(['parquetjs-lite']);

/** Lambda settings the whole stack relies on; tests pin them. */
export const FUNCTION_DEFAULTS = Object.freeze({
  runtime: Runtime.NODEJS_24_X,
  architecture: Architecture.ARM_64,
  /**
   * From docs/benchmarks.md: a day of 100 000 sessions takes 5 267 requests; at concurrency 4 that is ~43 s at
   * 25 ms latency and ~3.5 min at a WAN-like 150 ms, so a nightly run of 1 + lookbackDays = 2 such days needs ~7
   * min. The maximum costs nothing (billing is per use, runs never overlap), and the handler stops 60 s before it.
   */
  timeout: Duration.minutes(15),
  /**
   * From docs/benchmarks.md, measured on Node.js 24 (the runtime) on a 24 GiB machine: peak RSS about 380 MiB for
   * a 100 000-session day (the encoder's spike included) and 500 MiB for 300 000; on Node.js 20 the same code
   * peaked at about 215 MiB. The difference is V8's young generation, which Node.js 24 sizes from the machine's
   * memory (with --max-semi-space-size=8 the 100 000-session day peaked at ~280 MiB); in a 1024 MB function it
   * is sized smaller, so these figures are an upper bound. 1024 MB leaves 2.6× headroom at 100 000 sessions and
   * buys ~0.6 vCPU for the ~4 s of single-threaded Parquet encoding such a day takes on a full core.
   */
  memorySize: 1024,
  /** Runs never overlap: two runs writing the same day's partition would race on its stale-object cleanup. */
  reservedConcurrentExecutions: 1,
  logRetention: RetentionDays.THREE_MONTHS,
  /** Lambda's own retries of an asynchronous invocation that threw, before the failure destination. */
  retryAttempts: 2,
  maxEventAge: Duration.hours(6),
});

/**
 * Properties of {@link ExportFunction}: the deployment settings it turns into the function's environment —
 * `DIYALOG_API_ENDPOINT`, `EXPORT_TIMEZONE`, `EXPORT_LOOKBACK_DAYS`, `EXPORT_FIRST_DAY` (the projection's start: Athena
 * never shows an earlier day, so the exporter refuses to write one), `EXPORT_REPORTS` (whose tables
 * {@link ExportFunction.bindBucket} grants), `EXPORT_PERSONAL_DATA` (the policy's canonical text; one that
 * pseudonymizes needs {@link ExportFunction.bindPseudonymKey}), and `DIYALOG_SIGNATURE_VARIANT` and
 * `DIYALOG_CONCURRENCY` when set (else the exporter's defaults).
 */
export type ExportFunctionProps = Pick<
  ExportSettings,
  | 'apiEndpoint'
  | 'timeZone'
  | 'lookbackDays'
  | 'projectionStartDate'
  | 'reports'
  | 'personalData'
  | 'signatureVariant'
  | 'concurrency'
>;

/**
 * The exporter Lambda with the house defaults ({@link FUNCTION_DEFAULTS}): bundled locally by esbuild as
 * minified ESM with source maps (and {@link ASSET_NODE_MODULES} installed beside it), its own role with no
 * managed policies, its own log group, and asynchronous invocations that end, after Lambda's retries, in
 * {@link failureQueue}.
 *
 * Access is added with the `bind…` methods, each of which grants exactly what the exporter does with a
 * resource and sets the environment variable that names it, so the two cannot drift apart.
 */
export class ExportFunction extends Construct {
  /** The function. */
  readonly function: NodejsFunction;
  /** Its execution role. */
  readonly role: Role;
  /** Its log group. */
  readonly logGroup: LogGroup;
  /** Asynchronous invocations that failed after all retries (the on-failure destination). */
  readonly failureQueue: DeadLetterQueue;
  /** The reports it exports: the tables it may write. */
  private readonly reports: readonly ReportDefinition[];
  /** What it does with personal columns: whether it needs the pseudonym key. */
  private readonly personalData: PersonalDataPolicy;
  private pseudonymKeyBound = false;

  constructor(scope: Construct, id: string, props: ExportFunctionProps) {
    super(scope, id);
    this.reports = props.reports;
    this.personalData = props.personalData;
    this.logGroup = new LogGroup(this, 'Logs', { retention: FUNCTION_DEFAULTS.logRetention });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Nightly Diyalog export: read the API keys, write the export prefix, write its own logs.',
    });
    // Instead of AWSLambdaBasicExecutionRole: only this function's log group, which already exists.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.failureQueue = new DeadLetterQueue(this, 'FailureQueue', {
      description: 'asynchronous export invocations that failed after all retries',
    });

    this.function = new NodejsFunction(this, 'Function', {
      description: 'Exports yesterday’s Diyalog reports (and the lookback days) to the data lake.',
      entry: HANDLER_ENTRY,
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: FUNCTION_DEFAULTS.runtime,
      architecture: FUNCTION_DEFAULTS.architecture,
      timeout: FUNCTION_DEFAULTS.timeout,
      memorySize: FUNCTION_DEFAULTS.memorySize,
      reservedConcurrentExecutions: FUNCTION_DEFAULTS.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      retryAttempts: FUNCTION_DEFAULTS.retryAttempts,
      maxEventAge: FUNCTION_DEFAULTS.maxEventAge,
      onFailure: new SqsDestination(this.failureQueue.queue),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [EXPORT_ENV.endpoint]: props.apiEndpoint,
        [EXPORT_ENV.timeZone]: props.timeZone,
        [EXPORT_ENV.lookbackDays]: String(props.lookbackDays),
        [EXPORT_ENV.firstDay]: props.projectionStartDate,
        [EXPORT_ENV.reports]: props.reports.map((report) => report.name).join(','),
        [EXPORT_ENV.personalData]: props.personalData.text,
        ...(props.signatureVariant === undefined ? {} : { [EXPORT_ENV.signatureVariant]: props.signatureVariant }),
        ...(props.concurrency === undefined ? {} : { [EXPORT_ENV.concurrency]: String(props.concurrency) }),
      },
      bundling: {
        format: OutputFormat.ESM,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The runtime's AWS SDK v3 stays external (with @smithy/*): 190 KB of code instead of 625 KB.
        bundleAwsSDK: false,
        // Prefer each package's ESM build where it ships one.
        mainFields: ['module', 'main'],
        banner: ESM_BANNER,
        // Installed into the asset's node_modules (npm ci, versions from package-lock.json) instead of inlined:
        // its Thrift code calls the deprecated `Buffer()`, which Node tolerates only inside node_modules and
        // otherwise answers with a DEP0005 warning at the first Parquet file of every cold start.
        nodeModules: [...ASSET_NODE_MODULES],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          // npm ci needs the project's lock file beside the asset's package.json; the function does not.
          afterBundling: (_inputDir, outputDir) => [`rm -f "${outputDir}/package-lock.json"`],
        },
      },
    });
    Validations.of(this.function).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason: 'Failed asynchronous invocations go to an on-failure destination (SQS), which supersedes a DLQ.',
      },
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'One invocation a night with no downstream AWS services to trace; structured logs and EMF metrics ' +
          'cover it, and X-Ray would need a Resource "*" grant.',
      },
    );
    this.node.addValidation({
      validate: () =>
        this.personalData.usesPseudonyms && !this.pseudonymKeyBound
          ? [`the personal-data policy "${this.personalData.text}" pseudonymizes, and no pseudonym key is bound`]
          : [],
    });
  }

  /** Lets the exporter read the API keys from `secret` and names it in `DIYALOG_SECRET_ID`. */
  bindSecret(secret: ISecret): void {
    this.allowReading(secret, 'ReadApiKeys');
    this.function.addEnvironment(EXPORT_ENV.secretId, secretIdOf(secret));
  }

  /**
   * Lets the exporter read the pseudonym key from `secret` and names it in `EXPORT_PSEUDONYM_KEY_SECRET_ID`. Only
   * for a policy that pseudonymizes: the function of any other policy has no access to the key.
   */
  bindPseudonymKey(secret: ISecret): void {
    if (!this.personalData.usesPseudonyms) {
      throw new Error(`the personal-data policy "${this.personalData.text}" does not pseudonymize; it needs no key`);
    }
    this.allowReading(secret, 'ReadPseudonymKey');
    this.function.addEnvironment(EXPORT_ENV.pseudonymKeySecretId, secretIdOf(secret));
    this.pseudonymKeyBound = true;
  }

  /**
   * `secretsmanager:GetSecretValue` on `secret` alone. No `kms:Decrypt`: the secrets the stack creates use the
   * account's `aws/secretsmanager` key, which Secrets Manager applies for any caller it authorizes; an imported
   * secret under a customer managed key needs that key's policy to allow this role.
   */
  private allowReading(secret: ISecret, sid: string): void {
    // A secret imported by name has no known suffix; IAM matches it with the 6-character wildcard.
    const resource = secret.secretFullArn ?? `${secret.secretArn}-??????`;
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ sid, actions: ['secretsmanager:GetSecretValue'], resources: [resource] }),
    );
    if (secret.secretFullArn === undefined) {
      acknowledgeWildcardResource(
        this.role,
        resource,
        'A secret imported by name is matched by its name plus the 6-character suffix Secrets Manager adds.',
      );
    }
  }

  /**
   * Names the backfill state machine in `EXPORT_BACKFILL_STATE_MACHINE_ARN`, so that a range longer than one run
   * is refused with the command that starts it. `stateMachineArn` must be built from the state machine's name
   * (as `Backfill.stateMachineArn` is), not be a reference: the state machine invokes this function.
   */
  bindBackfill(stateMachineArn: string): void {
    this.function.addEnvironment(EXPORT_ENV.backfillStateMachineArn, stateMachineArn);
  }

  /**
   * Lets the exporter write below `prefix` in `bucket` and names both in `EXPORT_BUCKET` and `EXPORT_PREFIX`.
   * For each report it exports, it may put the table's partitions, rejects and run manifests, and delete only
   * where replacing a day needs it: stale objects in the table's partitions and the day's rejects. Besides, it
   * may put and delete its preflight probe, and list the prefix. Run manifests, the days' history, cannot be
   * deleted by it, and the folders of reports it does not export cannot be touched.
   */
  bindBucket(bucket: IBucket, prefix: string): void {
    const objects = (path: string): string => bucket.arnForObjects(`${prefix}/${path}`);
    const replaced = this.reports.flatMap((report) => [
      objects(`${tableFolder(report)}*`),
      objects(`${REJECTS_FOLDER}/${report.name}/*`),
    ]);
    const manifests = this.reports.map((report) => objects(`${RUNS_FOLDER}/${report.name}/*`));
    const probes = objects(`${PREFLIGHT_FOLDER}/*`);
    const statements = [
      new PolicyStatement({
        sid: 'WriteExport',
        actions: ['s3:PutObject'],
        resources: [...replaced, ...manifests, probes],
      }),
      new PolicyStatement({ sid: 'ReplaceDays', actions: ['s3:DeleteObject'], resources: [...replaced, probes] }),
      new PolicyStatement({
        sid: 'ListExport',
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${prefix}/*`] } },
      }),
    ];
    for (const statement of statements) this.role.addToPrincipalPolicy(statement);
    for (const resource of statements.flatMap((statement) => statement.resources)) {
      if (!resource.endsWith('*')) continue;
      acknowledgeWildcardResource(
        this.role,
        resource,
        'Objects are keyed by day (dt=YYYY-MM-DD); access is granted to a key prefix of the export, never wider.',
      );
    }
    this.function.addEnvironment(EXPORT_ENV.bucket, bucket.bucketName);
    this.function.addEnvironment(EXPORT_ENV.prefix, prefix);
  }
}
