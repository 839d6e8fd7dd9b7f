// drizzle-kit: `npm run db:generate` writes SQL migrations from engine/store/schema*.ts into migrations/.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: ['./engine/store/schema.ts', './engine/store/schema-specs.ts'],
  out: './migrations',
});
