// The test bed uses the same helper as the embedded Redis of `npm start`.
export { freePort } from '../../src/local/free-port.ts';
