import { App } from 'aws-cdk-lib';
import { buildApp } from './app.js';

// The CDK CLI's entry point (cdk.json "app"); everything else is in buildApp, which the tests call.
const app = new App();
buildApp(app);
app.synth();
