import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../../infra/app.js';
import type { ExportStack } from '../../../infra/export-stack.js';

/** The context `cdk.json` ships: the defaults under test are the ones `cdk synth` uses. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson: unknown = JSON.parse(readFileSync(new URL('../../../cdk.json', import.meta.url), 'utf8'));
  if (typeof cdkJson !== 'object' || cdkJson === null || !('context' in cdkJson))
    throw new Error('cdk.json: no context');
  const { context } = cdkJson;
  if (typeof context !== 'object' || context === null) throw new Error('cdk.json: context is not an object');
  return { ...context };
}

/** Options of {@link synth}. */
export interface SynthOptions {
  /** Run esbuild for the function (slow). @default false */
  readonly bundling?: boolean;
  /** Where the cloud assembly goes. @default - a temporary directory */
  readonly outdir?: string;
  /**
   * Run CloudFormation Validate and the Control Tower controls (infra/validators.ts), as `cdk synth` does
   * (slow: seconds to start the engine in each test file, ~1 s a synth). @default false
   */
  readonly validators?: boolean;
}

/** The app and its stack, built by the real {@link buildApp} from cdk.json context plus `overrides`. */
export interface Built {
  readonly app: App;
  readonly stack: ExportStack;
}

/** A synthesized {@link Built}. */
export interface Synthesized extends Built {
  readonly template: Template;
}

/**
 * Builds the app as `cdk synth` would, with cdk-nag on, without synthesizing it. Bundling and the template
 * validators are skipped unless asked for, so that a synth takes well under a second.
 */
export function build(overrides: Record<string, unknown> = {}, options: SynthOptions = {}): Built {
  const app = new App({
    context: {
      ...cdkJsonContext(),
      ...overrides,
      ...(options.bundling === true ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
    // The validators run only where asked for (`validators`), CDK's own instance of one of them never.
    builtinCloudFormationValidation: false,
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
  });
  return { app, stack: buildApp(app, { templateValidators: options.validators ?? false }) };
}

/** Builds and synthesizes the app; synthesis throws on any unacknowledged cdk-nag finding. */
export function synth(overrides: Record<string, unknown> = {}, options: SynthOptions = {}): Synthesized {
  const built = build(overrides, options);
  return { ...built, template: Template.fromStack(built.stack) };
}

/** The one resource of `type` whose logical id starts with `prefix`, as `[logicalId, properties]`. */
export function onlyResource(template: Template, type: string, prefix: string): [string, Record<string, unknown>] {
  const matches = Object.entries(template.findResources(type)).filter(([id]) => id.startsWith(prefix));
  if (matches.length !== 1) throw new Error(`expected one ${type} ${prefix}*, found ${matches.length}`);
  const [[id, resource]] = matches as [[string, { Properties: Record<string, unknown> }]];
  return [id, resource.Properties];
}

/** `{ "Fn::GetAtt": [logicalId, "Arn"] }`. */
export function arnOf(logicalId: string): { 'Fn::GetAtt': [string, string] } {
  return { 'Fn::GetAtt': [logicalId, 'Arn'] };
}

/** `{ "Fn::Join": ["", [GetAtt(logicalId).Arn, suffix]] }`: an object ARN below a created bucket. */
export function arnWithSuffix(logicalId: string, suffix: string): unknown {
  return { 'Fn::Join': ['', [arnOf(logicalId), suffix]] };
}
