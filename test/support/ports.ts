export { freePort, freePorts } from '../../src/platform/ports';
