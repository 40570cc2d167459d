import { runDemo } from './demo.js';
const s = await runDemo(process.argv.slice(2));
console.error('returned', s !== undefined);
