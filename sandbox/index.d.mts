// Types of justlogin-sandbox for ES modules: the same as for CommonJS (index.d.cts).
export * from './index.cjs';
