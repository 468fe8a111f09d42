import { createRequire as __lgCreateRequire } from 'node:module'; const require = __lgCreateRequire(import.meta.url);
var e="https://github.com/lineage-gate/lineage-gate";function o(t){return`docs/rules/${t}.md`}function r(t){return`${e}/blob/main/${o(t)}`}export{e as a,o as b,r as c};
