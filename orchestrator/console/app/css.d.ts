/** esbuild bundles imported stylesheets into the page's CSS file; the import has no value. */
declare module '*.css';
