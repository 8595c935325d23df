import preact from '@preact/preset-vite';
import { defineConfig } from 'vitest/config';

/** Unit tests sit beside their code; DOM tests (ui/, api/, console/) run in happy-dom, the rest in Node. */
export default defineConfig({
  plugins: [preact()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['src/{protocol,client,server,bots,main}/**/*.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'dom',
          environment: 'happy-dom',
          include: ['src/{ui,api,console}/**/*.test.{ts,tsx}'],
        },
      },
    ],
    testTimeout: 20_000,
  },
});
