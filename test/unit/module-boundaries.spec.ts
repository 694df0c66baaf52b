import { RuleTester } from 'eslint';
import { describe, it } from 'vitest';
import { noForeignInternals } from '../../scripts/eslint/module-boundaries.js';

RuleTester.describe = describe;
RuleTester.it = it;
const tester = new RuleTester({ languageOptions: { ecmaVersion: 2022, sourceType: 'module' } });

describe('lint rule: modules talk through their services', () => {
  tester.run('no-foreign-internals', noForeignInternals, {
    valid: [
      { filename: '/repo/src/modules/admin/admin.service.ts', code: "import { UsersService } from '../auth/users.service.js';" },
      { filename: '/repo/src/modules/auth/users.service.ts', code: "import { UsersRepository } from './users.repository.js';" },
      { filename: '/repo/src/modules/namespace/conflicts/conflicts.service.ts', code: "import { TreeRepository } from '../tree.repository.js';" },
      { filename: '/repo/src/modules/namespace/namespace.module.ts', code: "import { CONFLICT_MODEL } from './conflicts/schemas/conflict.schema.js';" },
      { filename: '/repo/src/infra/database/x.ts', code: "import { x } from '../../common/x.js';" },
    ],
    invalid: [
      { filename: '/repo/src/modules/admin/admin.service.ts', code: "import { UsersRepository } from '../auth/users.repository.js';", errors: [{ messageId: 'foreign' }] },
      { filename: '/repo/src/modules/retention/gc.ts', code: "import { NODE_MODEL } from '../namespace/schemas/node.schema.js';", errors: [{ messageId: 'foreign' }] },
      { filename: '/repo/src/modules/namespace/conflicts/c.ts', code: "export { DevicesRepository } from '../../auth/devices.repository.js';", errors: [{ messageId: 'foreign' }] },
      { filename: '/repo/src/app.module.ts', code: "import { BlocksRepository } from './modules/blocks/blocks.repository.js';", errors: [{ messageId: 'foreign' }] },
    ],
  });
});
