import { join } from 'node:path';
import { testReadmeExamples } from '../../../tools/jest/readme-example';

testReadmeExamples(join(__dirname, '..'), require);
