import { requireEnv } from '../common/config';

/** Stages served over plain http: the embedded local cloud (`offline`) and LocalStack (`local`). */
const PLAIN_HTTP_STAGES = new Set(['offline', 'local']);

/** Cookies get `Secure` on every stage but those whose API is plain http://localhost. */
export const secureCookies = () => !PLAIN_HTTP_STAGES.has(requireEnv('STAGE'));
