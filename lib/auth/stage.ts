import { requireEnv } from '../common/config';

/** Cookies get `Secure` on every stage but `local`, whose API is plain http://localhost. */
export const secureCookies = () => requireEnv('STAGE') !== 'local';
