export { freePort } from '../../src/platform/ports';
