// The bundler replaces __LG_VERSION__ with package.json's version; ts-jest and tsc see no define.
declare const __LG_VERSION__: string;

export const VERSION: string = typeof __LG_VERSION__ !== 'undefined' ? __LG_VERSION__ : '0.0.0-dev';
