/** Types of scripts/openapi-client.mjs (a plain Node script, so `npm run openapi` needs no build step). */
export declare const OPENAPI_FILE: string;
export declare const CLIENT_TYPES_FILE: string;
export declare function generateClientTypes(doc?: string): Promise<string>;
