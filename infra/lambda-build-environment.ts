/**
 * What a Lambda entry is given when the build or a benchmark runs it outside AWS: the variables the
 * stacks set, with placeholder credentials (nothing here calls AWS), and an API Gateway (HTTP API,
 * payload 2.0) event for `GET /healthz`, which touches no AWS service.
 */
export const lambdaBuildEnvironment: Record<string, string> = {
  SKIFF_STAGE: 'dev',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'build',
  AWS_SECRET_ACCESS_KEY: 'build',
  SKIFF_SNS_TOPIC_ARNS: [
    'arn:aws:sns:eu-west-1:111111111111:skiff-dev-donations-thank-you',
    'arn:aws:sns:eu-west-1:111111111111:skiff-dev-orders-notifications',
  ].join(','),
  SKIFF_ORDERS_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111111111111:stateMachine:skiff-dev-orders',
  LOG_LEVEL: 'silent',
};

export const healthCheckEvent = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/healthz',
  rawQueryString: '',
  headers: { host: 'example.execute-api.eu-west-1.amazonaws.com' },
  requestContext: {
    http: {
      method: 'GET',
      path: '/healthz',
      protocol: 'HTTP/1.1',
      sourceIp: '192.0.2.1',
      userAgent: 'build',
    },
    requestId: 'build',
  },
  isBase64Encoded: false,
};
