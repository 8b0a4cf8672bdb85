import { join } from 'node:path';
import { testReadmeExample } from '../../../tools/jest/readme-example';

testReadmeExample(join(__dirname, '..'), require);
