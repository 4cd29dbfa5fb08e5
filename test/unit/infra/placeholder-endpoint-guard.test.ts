import { describe, expect, test } from 'vitest';
import { synth } from './support.js';

describe('the placeholder endpoint guard', () => {
  test('the default endpoint synthesizes, with a rule that fails every create or update', () => {
    const { template } = synth();
    const rules = template.toJSON()['Rules'] as Record<string, unknown>;
    const guard = Object.entries(rules).filter(([id]) => id.startsWith('PlaceholderEndpointGuard'));
    expect(guard.map(([, rule]) => rule)).toEqual([
      {
        Assertions: [
          {
            Assert: {
              'Fn::Not': [{ 'Fn::Equals': ['https://diyalog.example.com', 'https://diyalog.example.com'] }],
            },
            AssertDescription:
              'The Diyalog endpoint https://diyalog.example.com is a placeholder. Deploy with ' +
              '-c apiEndpoint=https://<your Diyalog host> (or set apiEndpoint in cdk.json).',
          },
        ],
      },
    ]);
  });

  test('every reserved example host is guarded', () => {
    const { template } = synth({ apiEndpoint: 'https://api.example.org/diyalog' });
    expect(JSON.stringify(template.toJSON()['Rules'])).toContain(
      'The Diyalog endpoint https://api.example.org/diyalog',
    );
  });

  test('a real endpoint has no guard', () => {
    const { template } = synth({ apiEndpoint: 'https://diyalog.acme.com.tr' });
    expect(Object.keys(template.toJSON()['Rules'] as Record<string, unknown>)).toEqual(['CheckBootstrapVersion']);
  });
});
