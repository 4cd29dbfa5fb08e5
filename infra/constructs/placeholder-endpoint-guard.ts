import { CfnRule, Fn } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** Properties of {@link PlaceholderEndpointGuard}. */
export interface PlaceholderEndpointGuardProps {
  /** The configured Diyalog endpoint, a placeholder such as `https://diyalog.example.com`. */
  readonly endpoint: string;
}

/**
 * Makes CloudFormation refuse to create or update the stack while the Diyalog endpoint is a placeholder.
 *
 * The template gets a `Rules` entry whose assertion is false. CloudFormation evaluates rules before it touches
 * any resource — on CreateStack, UpdateStack and CreateChangeSet, which is what `cdk deploy` calls — and fails
 * the operation with the assertion's description. Synthesis is unaffected, so `cdk synth`, `cdk diff` and the
 * tests work offline with the placeholder from `cdk.json`, while no deployment path (the CDK CLI, a pipeline,
 * the console) can roll it out.
 */
export class PlaceholderEndpointGuard extends Construct {
  /** The rule; its assertion compares the endpoint with itself, negated. */
  readonly rule: CfnRule;

  constructor(scope: Construct, id: string, props: PlaceholderEndpointGuardProps) {
    super(scope, id);
    this.rule = new CfnRule(this, 'Rule', {
      assertions: [
        {
          assert: Fn.conditionNot(Fn.conditionEquals(props.endpoint, props.endpoint)),
          assertDescription:
            `The Diyalog endpoint ${props.endpoint} is a placeholder. Deploy with ` +
            '-c apiEndpoint=https://<your Diyalog host> (or set apiEndpoint in cdk.json).',
        },
      ],
    });
  }
}
