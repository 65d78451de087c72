/** esbuild bundles imported CSS into console.css (functions/console/build.ts). */
declare module '*.css';
