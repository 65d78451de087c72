// API Gateway HTTP API (payload v2) -> recommendations. Placeholder until the API lands; the CDK stack bundles this entry.
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';

export const handler = async (_event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => ({ statusCode: 503 });
